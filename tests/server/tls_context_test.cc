// tls_context: tls-protocols parsing, the verify mode per tls-auth-clients, the startup
// checks and the error lines that name the file (valid certificates are exercised end to end
// by tests/integration/test_tls.py, which makes them with the openssl CLI).
#include "tls_context.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <asio/ssl.hpp>

namespace gannet {
namespace {

TEST(TlsProtocolsTest, ParsesRedisWordsCaseInsensitively) {
  EXPECT_EQ(ParseTlsProtocols(""), kTlsV1_2 | kTlsV1_3);
  EXPECT_EQ(ParseTlsProtocols("   "), kTlsV1_2 | kTlsV1_3);
  EXPECT_EQ(ParseTlsProtocols("TLSv1.2"), kTlsV1_2);
  EXPECT_EQ(ParseTlsProtocols("tlsv1.3"), kTlsV1_3);
  EXPECT_EQ(ParseTlsProtocols(" TLSv1  TLSv1.1 "), kTlsV1 | kTlsV1_1);
  EXPECT_EQ(ParseTlsProtocols("TLSv1.3 TLSv1.2 TLSv1.2"), kTlsV1_2 | kTlsV1_3);
}

TEST(TlsProtocolsTest, RefusesUnknownWords) {
  EXPECT_FALSE(ParseTlsProtocols("SSLv3"));
  EXPECT_FALSE(ParseTlsProtocols("TLSv1.2 bogus"));
  EXPECT_FALSE(ParseTlsProtocols("TLSv1.2,TLSv1.3"));
  EXPECT_FALSE(ParseTlsProtocols("TLSv1.4"));
  EXPECT_FALSE(ParseTlsProtocols(std::string_view("TLSv1.2\0", 8)));
}

TEST(TlsContextTest, VerifyModeFollowsAuthClients) {
  Config cfg;
  EXPECT_EQ(TlsVerifyMode(cfg), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  cfg.tls_auth_clients = "optional";
  EXPECT_EQ(TlsVerifyMode(cfg), SSL_VERIFY_PEER);
  cfg.tls_auth_clients = "no";
  EXPECT_EQ(TlsVerifyMode(cfg), SSL_VERIFY_NONE);
}

TEST(TlsContextTest, StartupChecksComeFirst) {
  Config cfg;
  std::string error;
  EXPECT_EQ(BuildTlsContext(cfg, &error), nullptr);
  EXPECT_EQ(error, "No tls-cert-file configured!");
  cfg.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(BuildTlsContext(cfg, &error), nullptr);
  EXPECT_EQ(error, "No tls-key-file configured!");
  cfg.tls_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(BuildTlsContext(cfg, &error), nullptr);
  EXPECT_NE(error.find("Either tls-ca-cert-file or tls-ca-cert-dir must be specified"),
            std::string::npos);
  cfg.tls_auth_clients = "no";  // no CA needed then; the protocols are checked next
  cfg.tls_protocols = "TLSv1.2 SSLv2";
  EXPECT_EQ(BuildTlsContext(cfg, &error), nullptr);
  EXPECT_NE(error.find("Invalid tls-protocols specified"), std::string::npos);
}

TEST(TlsContextTest, MissingFilesAreNamed) {
  Config cfg;
  cfg.tls_auth_clients = "no";
  cfg.tls_cert_file = "/nonexistent/cert.pem";
  cfg.tls_key_file = "/nonexistent/key.pem";
  std::string error;
  EXPECT_EQ(BuildTlsContext(cfg, &error), nullptr);
  EXPECT_EQ(error.rfind("Failed to load certificate: /nonexistent/cert.pem: error:", 0), 0u)
      << error;
  EXPECT_EQ(ERR_peek_error(), 0u);  // nothing left on OpenSSL's error queue
}

TEST(TlsContextTest, ErrorTextIsOpenSslsOwn) {
  asio::error_code ec(static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_WRONG_VERSION_NUMBER)),
                      asio::error::get_ssl_category());
  EXPECT_EQ(TlsErrorText(ec), "error:0A00010B:SSL routines::wrong version number");
  EXPECT_EQ(TlsErrorText(asio::ssl::error::stream_truncated),
            "error:0A000126:SSL routines::unexpected eof while reading");
  EXPECT_EQ(TlsErrorText(asio::error::eof), asio::error_code(asio::error::eof).message());
}

}  // namespace
}  // namespace gannet
