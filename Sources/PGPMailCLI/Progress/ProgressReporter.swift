import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shows the progress of `bulk` and `queue process` on standard error: a live bar on a
/// terminal (done/total, rate, ETA, failures), otherwise a plain line every few seconds.
final class ProgressReporter: Sendable {
    private struct Counts {
        var sent = 0
        var failed = 0
        var total: Int?
    }

    private let counts = NIOLockedValueBox(Counts())
    private let start = ContinuousClock.now
    private let isTerminal: Bool
    private let interval: Duration

    init(total: Int?) {
        self.isTerminal = isatty(STDERR_FILENO) == 1
        self.interval = self.isTerminal ? .milliseconds(200) : .seconds(5)
        self.counts.withLockedValue { $0.total = total }
    }

    func recordSent() {
        self.counts.withLockedValue { $0.sent += 1 }
    }

    func recordFailed() {
        self.counts.withLockedValue { $0.failed += 1 }
    }

    /// Updates the total when it becomes known (a queue that grows).
    func setTotal(_ total: Int?) {
        self.counts.withLockedValue { $0.total = total }
    }

    var sent: Int { self.counts.withLockedValue { $0.sent } }
    var failed: Int { self.counts.withLockedValue { $0.failed } }

    var elapsed: Duration { ContinuousClock.now - self.start }

    /// Redraws until cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: self.interval)
            } catch {
                break
            }
            self.draw()
        }
        if self.isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }

    /// The summary line: `sent N failed N seconds S rate R msg/s`.
    var summary: String {
        let seconds = Self.seconds(self.elapsed)
        let counts = self.counts.withLockedValue { $0 }
        let rate = seconds > 0 ? Double(counts.sent) / seconds : 0
        return "sent \(counts.sent) failed \(counts.failed) seconds \(Self.format(seconds, decimals: 2)) "
            + "rate \(Self.format(rate, decimals: 1)) msg/s"
    }

    private func draw() {
        let counts = self.counts.withLockedValue { $0 }
        let seconds = Self.seconds(self.elapsed)
        let done = counts.sent + counts.failed
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var line: String
        if let total = counts.total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let eta = rate > 0 ? Double(total - done) / rate : 0
            if self.isTerminal {
                let width = 30
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                line = "[\(bar)] \(done)/\(total) \(Self.format(fraction * 100, decimals: 1))%"
            } else {
                line = "progress: \(done)/\(total)"
            }
            line +=
                " \(Self.format(rate, decimals: 0)) msg/s ETA \(Self.format(eta, decimals: 0))s failed \(counts.failed)"
        } else {
            line = "progress: \(done) done, \(Self.format(rate, decimals: 0)) msg/s, failed \(counts.failed)"
        }
        let output = self.isTerminal ? "\r\u{1B}[K" + line : line + "\n"
        FileHandle.standardError.write(Data(output.utf8))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func format(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
