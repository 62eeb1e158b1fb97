import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private PostgreSQL cluster for the tests: `initdb` into a temporary directory, a server on
/// 127.0.0.1 and a free port, password (SCRAM) authentication. Started once per test process on
/// first use and shared (tests use tables of their own); stopped and deleted when the process
/// exits. As root, the cluster belongs to the `postgres` user (PostgreSQL refuses to run as root).
///
/// The server runs under a small shell that kills it when its standard input closes, so it
/// ends with the test process even when that process is killed: nothing is left running.
public final class PostgresCluster: Sendable {
    /// The server's port on 127.0.0.1.
    public let port: Int
    /// The superuser the tests connect as.
    public let user = "pgpmail"
    /// Its password.
    public let password = "pgpmail-test-secret"
    /// The database.
    public let database = "postgres"

    /// `postgres://user:password@127.0.0.1:port/database?sslmode=disable` plus `table` if given.
    public func url(table: String? = nil) -> String {
        "postgres://\(user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
            + (table.map { "&table=\($0)" } ?? "")
    }

    /// The shared cluster, started on first use.
    public static func shared() throws -> PostgresCluster {
        try startOnce.withLock { cluster in
            if let cluster { return try cluster.get() }
            let started = Result { try PostgresCluster.start() }
            cluster = started
            return try started.get()
        }
    }

    private static let startOnce = LockedSlot<Result<PostgresCluster, any Error>>()

    private let directory: String
    // The stdin of the shell that runs the server: closing it stops the server.
    private let lifeline: FileHandle

    private init(port: Int, directory: String, lifeline: FileHandle) {
        self.port = port
        self.directory = directory
        self.lifeline = lifeline
    }

    /// Where `initdb`, `postgres` and `pg_isready` are: Debian's versioned directory, or PATH.
    static func binary(_ name: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let candidate = "/usr/lib/postgresql/\(version)/bin/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        if let found = ExternalProcess.path(name) { return found }
        throw TestSupportError("\(name) is not installed (PostgreSQL server); .ci/run installs it")
    }

    private static func start() throws -> PostgresCluster {
        let initdb = try binary("initdb")
        let postgres = try binary("postgres")
        let isReady = try binary("pg_isready")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pgpmail-postgres-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + "/password"
        try Data("pgpmail-test-secret\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        // As root the cluster must belong to an unprivileged user.
        let asUser: [String] = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 {
            try ExternalProcess.run("chown", ["-R", "postgres:postgres", directory])
        }
        let data = directory + "/data"
        try run(
            asUser + [
                initdb, "-D", data, "-U", "pgpmail", "--pwfile", passwordFile, "--auth", "scram-sha-256",
                "-E", "UTF8", "--no-sync", "--no-instructions",
            ])
        let port = try ExternalProcess.freePort()
        let server = [
            postgres, "-D", data, "-p", "\(port)", "-h", "127.0.0.1", "-k", directory,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200", "-c", "logging_collector=off",
        ].map(shellQuoted).joined(separator: " ")
        // The server stops (fast shutdown) when our end of the pipe closes: at exit, or when the
        // test process dies.
        let script =
            "\(server) >\(shellQuoted(directory + "/server.log")) 2>&1 & pid=$!; cat >/dev/null; kill -INT $pid; wait $pid"
        let process = Process()
        let shellArguments = asUser + ["/bin/sh", "-c", script]
        process.executableURL = URL(fileURLWithPath: ExternalProcess.path(shellArguments[0]) ?? "/bin/sh")
        process.arguments = Array(shellArguments.dropFirst())
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let cluster = PostgresCluster(port: port, directory: directory, lifeline: stdin.fileHandleForWriting)
        let deadline = Date().addingTimeInterval(60)
        while true {
            let ready = try ExternalProcess.run(
                executable: isReady, ["-h", "127.0.0.1", "-p", "\(port)", "-U", "pgpmail", "-q"])
            if ready.status == 0 { break }
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
                cluster.stop()
                throw TestSupportError("the PostgreSQL server did not start: \(log)")
            }
            usleep(100_000)
        }
        registerStopAtExit(cluster)
        return cluster
    }

    /// Stops the server and deletes the cluster.
    func stop() {
        try? self.lifeline.close()
        // Wait for the server to go (its socket lock file disappears), at most 10 s.
        let deadline = Date().addingTimeInterval(10)
        while FileManager.default.fileExists(atPath: self.directory + "/.s.PGSQL.\(self.port).lock"),
            Date() < deadline
        {
            usleep(50_000)
        }
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    private static func run(_ arguments: [String]) throws {
        guard let executable = ExternalProcess.path(arguments[0]) else {
            throw TestSupportError("\(arguments[0]) is not installed")
        }
        let result = try ExternalProcess.run(executable: executable, Array(arguments.dropFirst()))
        guard result.status == 0 else {
            throw TestSupportError(
                "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr) \(result.stdoutText)")
        }
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func registerStopAtExit(_ cluster: PostgresCluster) {
        atExitCluster.withLock { $0 = .success(cluster) }
        atexit {
            if case .success(let cluster) = PostgresCluster.atExitCluster.withLock({ $0 }) {
                cluster.stop()
            }
        }
    }

    private static let atExitCluster = LockedSlot<Result<PostgresCluster, any Error>>()
}

/// An optional value under a lock.
final class LockedSlot<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value?

    func withLock<Result>(_ body: (inout Value?) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&value) }
    }
}
