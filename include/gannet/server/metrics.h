// The Prometheus endpoint (`metrics-port`, `metrics-bind`; off by default): GET /metrics
// answers with the server's INFO in the text exposition format, under the metric names
// oliver006/redis_exporter gives the same INFO fields, so dashboards built for the exporter
// work unchanged. The values come from INFO itself (one source of truth): the renderer is
// a pure function of INFO's text, the endpoint a minimal HTTP/1.x responder on the loop.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace gannet {

// INFO everything's text -> exposition text. `now_unix_s` dates redis_start_time_seconds.
std::string RenderPrometheusMetrics(std::string_view info, int64_t now_unix_s);

class MetricsEndpoint {
 public:
  // info_text(): INFO everything, called on the loop thread for each scrape.
  MetricsEndpoint(asio::io_context& io, std::function<std::string()> info_text);
  ~MetricsEndpoint();

  // Binds and starts accepting; false with *error set when the address cannot be bound.
  bool Start(const std::string& bind, int port, std::string* error);
  int bound_port() const { return bound_port_; }
  void Stop();

 private:
  class Session;
  void Accept();

  asio::io_context& io_;
  std::function<std::string()> info_text_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  asio::steady_timer retry_;  // re-arms accept after a failed one
  int bound_port_ = 0;
};

}  // namespace gannet
