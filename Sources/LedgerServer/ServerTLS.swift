import Foundation
import LedgerCore
import NIOSSL

/// TLS for the server (`--tls-cert`, `--tls-key`): a PEM certificate chain and its private key.
package enum ServerTLS {
    /// The server's TLS configuration from PEM files, checked before anything binds: each file
    /// must exist and parse, and the key must be the certificate's.
    /// - Throws: `.notFound` for a missing file, `.malformed` for one that is not what it should
    ///   be; the message names the flag and the file, never the key's contents.
    package static func configuration(certificateFile: String, keyFile: String) throws(LedgerError)
        -> TLSConfiguration
    {
        for (flag, file) in [("--tls-cert", certificateFile), ("--tls-key", keyFile)] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw .notFound("\(flag) \(file): no such file")
            }
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw .io("\(flag) \(file): cannot be read")
            }
        }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
            throw .malformed("--tls-cert \(certificateFile): not a PEM certificate")
        }
        guard !chain.isEmpty else { throw .malformed("--tls-cert \(certificateFile): no certificate in the file") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw .malformed("--tls-key \(keyFile): not a PEM private key (an encrypted key is not supported)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw .malformed("--tls-key \(keyFile): not the private key of the certificate in \(certificateFile)")
        }
        return configuration
    }
}
