// The server side of TLS: turns the tls-* directives of a Config into an OpenSSL context
// (through asio::ssl::context) the way Redis 7.0 configures its own: protocol versions,
// cipher lists, session cache, client-certificate checking and a passphrase-protected
// key. The Server builds one at startup (tls-port set) and again on CONFIG SET of a tls-*
// directive; each accepted TLS client takes a reference to the current one, so a rebuilt
// context serves new clients while connected ones keep theirs.
#pragma once

#include <asio/error_code.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gannet/common/config.h"

namespace asio::ssl {
class context;
}

namespace gannet {

enum TlsProtocol : unsigned {
  kTlsV1 = 1u << 0,
  kTlsV1_1 = 1u << 1,
  kTlsV1_2 = 1u << 2,
  kTlsV1_3 = 1u << 3,
};

// tls-protocols: space-separated TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 (case-insensitive) as a
// set of TlsProtocol bits; "" means TLSv1.2 and TLSv1.3. nullopt for an unknown word.
std::optional<unsigned> ParseTlsProtocols(std::string_view text);

// Whether the tls-* files must load, as Redis decides: for the TLS port, and also when
// tls-replication or tls-cluster is on (Gannet makes no outgoing connections, but a config
// that Redis would refuse for missing certificates is refused here too).
inline bool TlsInUse(const Config& cfg) {
  return cfg.tls_port != 0 || cfg.tls_replication || cfg.tls_cluster;
}

// Builds the context for the server's TLS listener from cfg. On failure returns nullptr
// with *error set to the line to log (naming the file that failed to load).
std::shared_ptr<asio::ssl::context> BuildTlsContext(const Config& cfg, std::string* error);

// The OpenSSL verify flags (SSL_VERIFY_*) a new TLS client gets under tls-auth-clients.
int TlsVerifyMode(const Config& cfg);

// A failed handshake or read as Redis logs it: OpenSSL's "error:0A0000C7:SSL
// routines::peer did not return a certificate" for TLS errors, the system text otherwise.
std::string TlsErrorText(const asio::error_code& ec);

}  // namespace gannet
