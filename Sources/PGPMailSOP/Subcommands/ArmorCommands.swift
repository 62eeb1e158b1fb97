import ArgumentParser
import OpenPGP

struct ArmorCommand: SOPSubcommand {
    static let configuration = CommandConfiguration(commandName: "armor", abstract: "Armor binary OpenPGP data.")

    @Option(help: "auto, sig, key, cert or message (deprecated; auto detects).") var label: String = "auto"

    func execute() throws {
        let input = try StandardIO.readInput()
        if Armor.isArmored(input) {
            // Armoring armor changes nothing.
            try StandardIO.write(input)
            return
        }
        let type: ArmorType
        switch label {
        case "sig": type = .signature
        case "key": type = .privateKey
        case "cert": type = .publicKey
        case "message": type = .message
        case "auto": type = Self.detectType(input)
        default: throw SOPFailure(.unsupportedOption, "unknown armor label \(label)")
        }
        try StandardIO.write(Armor.encode(input, type: type))
    }

    /// The armor type of binary OpenPGP data, from its first packet's tag.
    static func detectType(_ input: [UInt8]) -> ArmorType {
        guard let first = input.first, first & 0x80 != 0 else { return .message }
        let tag = first & 0x40 != 0 ? first & 0x3F : (first >> 2) & 0x0F
        switch tag {
        case 5: return .privateKey
        case 6: return .publicKey
        case 2: return .signature
        default: return .message
        }
    }
}

struct Dearmor: SOPSubcommand {
    static let configuration = CommandConfiguration(abstract: "Remove ASCII armor.")

    func execute() throws {
        let input = try StandardIO.readInput()
        do {
            try StandardIO.write(try Armor.decodeIfArmored(input))
        } catch {
            throw SOPFailure(.badData, "\(error)")
        }
    }
}
