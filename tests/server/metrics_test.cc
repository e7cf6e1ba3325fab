// RenderPrometheusMetrics: INFO text in, redis_exporter's names out.
#include "gannet/server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gannet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kInfo =
    "# Server\r\n"
    "redis_version:7.0.15\r\n"
    "redis_mode:standalone\r\n"
    "process_id:42\r\n"
    "run_id:abc\r\n"
    "tcp_port:6379\r\n"
    "uptime_in_seconds:100\r\n"
    "\r\n"
    "# Clients\r\n"
    "connected_clients:3\r\n"
    "\r\n"
    "# Memory\r\n"
    "used_memory:1048576\r\n"
    "used_memory_human:1.00M\r\n"
    "maxmemory:2097152\r\n"
    "maxmemory_policy:allkeys-lru\r\n"
    "\r\n"
    "# Persistence\r\n"
    "rdb_last_bgsave_status:err\r\n"
    "\r\n"
    "# Stats\r\n"
    "total_commands_processed:1234\r\n"
    "keyspace_hits:7\r\n"
    "keyspace_misses:2\r\n"
    "evicted_keys:5\r\n"
    "expired_keys:6\r\n"
    "\r\n"
    "# Replication\r\n"
    "role:master\r\n"
    "\r\n"
    "# Commandstats\r\n"
    "cmdstat_get:calls=10,usec=50,usec_per_call=5.00,rejected_calls=1,failed_calls=2\r\n"
    "cmdstat_config|get:calls=1,usec=3,usec_per_call=3.00,rejected_calls=0,failed_calls=0\r\n"
    "\r\n"
    "# Errorstats\r\n"
    "errorstat_WRONGTYPE:count=4\r\n"
    "\r\n"
    "# Latencystats\r\n"
    "latency_percentiles_usec_get:p50=1.003,p99=2.007,p99.9=8.031\r\n"
    "\r\n"
    "# Keyspace\r\n"
    "db0:keys=12,expires=3,avg_ttl=5000\r\n"
    "db2:keys=1,expires=0,avg_ttl=0\r\n";

class MetricsTest : public ::testing::Test {
 protected:
  std::string out_ = RenderPrometheusMetrics(kInfo, 1000);
};

TEST_F(MetricsTest, GaugesAndCountersUseTheExportersNames) {
  EXPECT_THAT(out_, HasSubstr("\nredis_up 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_memory_used_bytes 1048576\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_memory_max_bytes 2097152\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_connected_clients 3\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_commands_processed_total 1234\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_keyspace_hits_total 7\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_keyspace_misses_total 2\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_evicted_keys_total 5\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_expired_keys_total 6\n"));
  EXPECT_THAT(out_, HasSubstr("# TYPE redis_keyspace_hits_total counter\n"));
  EXPECT_THAT(out_, HasSubstr("# TYPE redis_memory_used_bytes gauge\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_start_time_seconds 900\n"));
}

TEST_F(MetricsTest, StatusWordsBecomeNumbersAndTextFieldsAreSkipped) {
  EXPECT_THAT(out_, HasSubstr("\nredis_rdb_last_bgsave_status 0\n"));
  EXPECT_THAT(out_, Not(HasSubstr("used_memory_human")));
}

TEST_F(MetricsTest, PerCommandPerDatabaseAndPerErrorSeries) {
  EXPECT_THAT(out_, HasSubstr("\nredis_commands_total{cmd=\"get\"} 10\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_commands_total{cmd=\"config|get\"} 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_commands_duration_seconds_total{cmd=\"get\"} 5e-05\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_commands_rejected_calls_total{cmd=\"get\"} 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_commands_failed_calls_total{cmd=\"get\"} 2\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_errors_total{err=\"WRONGTYPE\"} 4\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_db_keys{db=\"db0\"} 12\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_db_keys{db=\"db2\"} 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_db_keys_expiring{db=\"db0\"} 3\n"));
  EXPECT_THAT(out_, HasSubstr("\nredis_db_avg_ttl_seconds{db=\"db0\"} 5\n"));
}

TEST_F(MetricsTest, LatencyPercentilesFormASummary) {
  EXPECT_THAT(out_, HasSubstr("# TYPE redis_latency_percentiles_usec summary\n"));
  EXPECT_THAT(out_,
              HasSubstr("redis_latency_percentiles_usec{cmd=\"get\",quantile=\"0.5\"} 1.003\n"));
  EXPECT_THAT(out_,
              HasSubstr("redis_latency_percentiles_usec{cmd=\"get\",quantile=\"0.999\"} 8.031\n"));
  EXPECT_THAT(out_, HasSubstr("redis_latency_percentiles_usec_sum{cmd=\"get\"} 50\n"));
  EXPECT_THAT(out_, HasSubstr("redis_latency_percentiles_usec_count{cmd=\"get\"} 10\n"));
}

TEST_F(MetricsTest, InstanceInfoCarriesTheDescriptiveFields) {
  EXPECT_THAT(out_, HasSubstr("redis_instance_info{role=\"master\",redis_version=\"7.0.15\""));
  EXPECT_THAT(out_, HasSubstr("maxmemory_policy=\"allkeys-lru\""));
  EXPECT_THAT(out_, HasSubstr("process_id=\"42\""));
}

TEST(MetricsRender, HostileInfoTextIsSkippedNotTrusted) {
  // Malformed lines, label characters that need escaping, non-numbers.
  std::string out = RenderPrometheusMetrics(
      "# Keyspace\ndb0:keys=x,expires\n# Commandstats\ncmdstat_a\"b:calls=1,usec=zz\n"
      "no colon here\n:\nused_memory:12abc\n",
      0);
  EXPECT_THAT(out, HasSubstr("redis_commands_total{cmd=\"a\\\"b\"} 1\n"));
  EXPECT_THAT(out, HasSubstr("redis_db_keys{db=\"db0\"} 0\n"));
  EXPECT_THAT(out, Not(HasSubstr("redis_memory_used_bytes")));
  EXPECT_THAT(out, HasSubstr("\nredis_up 1\n"));
}

}  // namespace
}  // namespace gannet
