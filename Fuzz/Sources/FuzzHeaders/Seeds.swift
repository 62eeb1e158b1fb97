enum HeaderSeeds {
    static func make() throws -> [String: [UInt8]] {
        let values: [(UInt8, String, String)] = [
            (0, "address", "\"Doe, Jane\" (comment) <jane.doe+tag@example.org>"),
            (0, "address-literal", "user@[IPv6:2001:db8::1]"),
            (0, "address-utf8", "=?UTF-8?B?SsO2cmc=?= <jörg@bücher.example>"),
            (
                1, "list",
                "a@b.example, \"Q\\\"uoted\" <q@c.example>, team: x@y.example, z@y.example;, undisclosed-recipients:;"
            ),
            (2, "content-type", "multipart/mixed; boundary=\"==b1\"; charset=utf-8 (comment)"),
            (
                2, "content-type-2231",
                "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\""
            ),
            (3, "disposition", "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; size=42"),
            (4, "date", "Tue, 14 Nov 2023 22:13:20 +0100"),
            (4, "date-obsolete", "14 Nov 23 22:13 EST"),
            (5, "message-id", "<20231114.abc@example.org>"),
            (6, "headers", "From: a@b.example\r\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\n folded\r\nX-Empty:\r\n"),
            (7, "subject", "Grüße from a rather long subject line that will have to be folded and encoded"),
        ]
        var seeds: [String: [UInt8]] = [:]
        for (selector, name, value) in values {
            seeds[name] = [selector] + Array(value.utf8)
        }
        return seeds
    }
}
