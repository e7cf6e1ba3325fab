// TLS context from the tls-* directives (see tls_context.h). Built with OpenSSL calls on
// a bare SSL_CTX, then handed to asio::ssl::context, so every failure can be reported the
// way Redis logs it: which file, and OpenSSL's own error string.
#include "tls_context.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <asio/ssl.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gannet/common/ascii.h"

namespace gannet {
namespace {

constexpr unsigned kDefaultProtocols = kTlsV1_2 | kTlsV1_3;
constexpr unsigned char kSessionIdContext[] = "gannet";

// OpenSSL's text for the oldest error on this thread's queue ("error:80000002:system
// library::No such file or directory"), then clears the queue.
std::string LastOpenSslError() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

// Hands the tls-key-file-pass to OpenSSL while the key is read. A passphrase longer than
// OpenSSL's buffer is refused (the key then fails to load) rather than truncated.
int PasswordCallback(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (pass == nullptr || size < 0 || pass->size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

// DH parameters for DHE ciphers from a PEM file (OpenSSL 3 decoder API).
bool LoadDhParams(SSL_CTX* ctx, const std::string& path, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    *error = "Failed to load " + path + ": " + std::strerror(errno);
    return false;
  }
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(
      &pkey, "PEM", nullptr, "DH", OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, nullptr, nullptr);
  const bool decoded = dctx != nullptr && OSSL_DECODER_from_fp(dctx, f) == 1;
  OSSL_DECODER_CTX_free(dctx);
  std::fclose(f);
  if (!decoded || pkey == nullptr) {
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    *error = path + ": failed to read DH params.";
    return false;
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, pkey) <= 0) {  // takes pkey on success only
    EVP_PKEY_free(pkey);
    *error = "Failed to load DH params file: " + path + ": " + LastOpenSslError();
    return false;
  }
  return true;
}

}  // namespace

std::optional<unsigned> ParseTlsProtocols(std::string_view text) {
  unsigned out = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i == start) break;
    std::string_view word = text.substr(start, i - start);
    any = true;
    if (EqualsNoCase(word, "tlsv1")) {
      out |= kTlsV1;
    } else if (EqualsNoCase(word, "tlsv1.1")) {
      out |= kTlsV1_1;
    } else if (EqualsNoCase(word, "tlsv1.2")) {
      out |= kTlsV1_2;
    } else if (EqualsNoCase(word, "tlsv1.3")) {
      out |= kTlsV1_3;
    } else {
      return std::nullopt;
    }
  }
  return any ? out : kDefaultProtocols;
}

std::shared_ptr<asio::ssl::context> BuildTlsContext(const Config& cfg, std::string* error) {
  ERR_clear_error();
  if (cfg.tls_cert_file.empty()) {
    *error = "No tls-cert-file configured!";
    return nullptr;
  }
  if (cfg.tls_key_file.empty()) {
    *error = "No tls-key-file configured!";
    return nullptr;
  }
  // Checking client certificates needs something to check them against.
  if (cfg.tls_auth_clients != "no" && cfg.tls_ca_cert_file.empty() && cfg.tls_ca_cert_dir.empty()) {
    *error =
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients "
        "is enabled!";
    return nullptr;
  }
  auto protocols = ParseTlsProtocols(cfg.tls_protocols);
  if (!protocols) {
    *error =
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
        "and 'TLSv1.3'.";
    return nullptr;
  }

  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    *error = "Failed to create the TLS context: " + LastOpenSslError();
    return nullptr;
  }
  SSL_CTX* c = ctx.get();
  uint64_t options =
      SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_DH_USE;
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
  options |= SSL_OP_NO_CLIENT_RENEGOTIATION;  // OpenSSL 3 refuses it unless allowed
#endif
  if (!(*protocols & kTlsV1)) options |= SSL_OP_NO_TLSv1;
  if (!(*protocols & kTlsV1_1)) options |= SSL_OP_NO_TLSv1_1;
  if (!(*protocols & kTlsV1_2)) options |= SSL_OP_NO_TLSv1_2;
  if (!(*protocols & kTlsV1_3)) options |= SSL_OP_NO_TLSv1_3;
  if (cfg.tls_prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(c, options);
  // The strictest mode; each connection sets its own from tls-auth-clients.
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  // The passphrase is only needed while the key is read: the callback's data points at
  // cfg for that call and is cleared right after (asio::ssl::context would otherwise
  // treat it as its own callback object).
  SSL_CTX_set_default_passwd_cb(c, PasswordCallback);
  SSL_CTX_set_default_passwd_cb_userdata(c, const_cast<std::string*>(&cfg.tls_key_file_pass));
  if (SSL_CTX_use_certificate_chain_file(c, cfg.tls_cert_file.c_str()) <= 0) {
    *error = "Failed to load certificate: " + cfg.tls_cert_file + ": " + LastOpenSslError();
    SSL_CTX_set_default_passwd_cb_userdata(c, nullptr);
    return nullptr;
  }
  // Also checks that the key matches the certificate ("key values mismatch").
  const bool key_ok =
      SSL_CTX_use_PrivateKey_file(c, cfg.tls_key_file.c_str(), SSL_FILETYPE_PEM) > 0;
  SSL_CTX_set_default_passwd_cb_userdata(c, nullptr);
  SSL_CTX_set_default_passwd_cb(c, nullptr);
  if (!key_ok) {
    *error = "Failed to load private key: " + cfg.tls_key_file + ": " + LastOpenSslError();
    return nullptr;
  }
  if (!cfg.tls_ca_cert_file.empty() || !cfg.tls_ca_cert_dir.empty()) {
    const char* file = cfg.tls_ca_cert_file.empty() ? nullptr : cfg.tls_ca_cert_file.c_str();
    const char* dir = cfg.tls_ca_cert_dir.empty() ? nullptr : cfg.tls_ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(c, file, dir) <= 0) {
      *error = "Failed to configure CA certificate(s) file/directory: " + LastOpenSslError();
      return nullptr;
    }
  }
  if (!cfg.tls_ciphers.empty() && !SSL_CTX_set_cipher_list(c, cfg.tls_ciphers.c_str())) {
    ERR_clear_error();
    *error = "Failed to configure ciphers: " + cfg.tls_ciphers;
    return nullptr;
  }
  if (!cfg.tls_ciphersuites.empty() && !SSL_CTX_set_ciphersuites(c, cfg.tls_ciphersuites.c_str())) {
    ERR_clear_error();
    *error = "Failed to configure ciphersuites: " + cfg.tls_ciphersuites;
    return nullptr;
  }
  if (cfg.tls_session_caching) {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(c, cfg.tls_session_cache_size);
    SSL_CTX_set_timeout(c, cfg.tls_session_cache_timeout);
    SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof(kSessionIdContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  }
  if (!cfg.tls_dh_params_file.empty()) {
    if (!LoadDhParams(c, cfg.tls_dh_params_file, error)) return nullptr;
  } else {
    SSL_CTX_set_dh_auto(c, 1);
  }
  ERR_clear_error();
  return std::make_shared<asio::ssl::context>(ctx.release());
}

int TlsVerifyMode(const Config& cfg) {
  if (cfg.tls_auth_clients == "no") return SSL_VERIFY_NONE;
  if (cfg.tls_auth_clients == "optional") return SSL_VERIFY_PEER;
  return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

std::string TlsErrorText(const asio::error_code& ec) {
  // The reason strings are loaded with libssl's first context; make sure (idempotent).
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  char buf[256];
  if (ec == asio::ssl::error::stream_truncated) {
    // asio's name for a peer gone without close_notify; OpenSSL's own error says so.
    ERR_error_string_n(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING), buf,
                       sizeof(buf));
    return buf;
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    ERR_error_string_n(static_cast<unsigned long>(static_cast<unsigned int>(ec.value())), buf,
                       sizeof(buf));
    return buf;
  }
  return ec.message();
}

}  // namespace gannet
