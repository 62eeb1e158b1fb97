/// The package's version information (the PSMTP `BuildInfo` setting).
public enum PGPMailVersion {
    /// The release this source tree is, in Semantic Versioning.
    public static let version = "0.1.0"
}
