package io.latentstream.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The metrics the alerting rules (docker/prometheus/alerts.yml) are written against, as Prometheus
 * scrapes them.
 */
class PipelineMetricsTest {

  private static String scrape(PipelineMetrics metrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.scrape(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldExportTheDecodeLatencyAsAHistogramInSeconds() throws IOException {
    PipelineMetrics metrics = new PipelineMetrics();
    metrics.decoded(30_000_000L); // 30 ms
    metrics.decoded(3_000_000_000L); // 3 s

    String text = scrape(metrics);

    assertThat(text).contains("# TYPE latentstream_decode_latency_seconds histogram");
    assertThat(text).contains("latentstream_decode_latency_seconds_bucket{le=\"0.025\"} 0");
    assertThat(text).contains("latentstream_decode_latency_seconds_bucket{le=\"0.05\"} 1");
    assertThat(text).contains("latentstream_decode_latency_seconds_bucket{le=\"2.5\"} 1");
    assertThat(text).contains("latentstream_decode_latency_seconds_bucket{le=\"5.0\"} 2");
    assertThat(text).contains("latentstream_decode_latency_seconds_count 2");
  }

  @Test
  void shouldExportWhenEachCameraLastSentAFrameInUnixSeconds() throws IOException {
    PipelineMetrics metrics = new PipelineMetrics();
    metrics.frameIn("cam-1", 1_700_000_000_000L);
    metrics.frameIn("cam-2", 1_700_000_001_500L);
    metrics.frameIn("cam-1", 1_700_000_060_000L);

    String text = scrape(metrics);

    assertThat(text)
        .contains(
            "latentstream_camera_last_frame_timestamp_seconds{camera=\"cam-1\"} 1.70000006E9");
    assertThat(text)
        .contains(
            "latentstream_camera_last_frame_timestamp_seconds{camera=\"cam-2\"} 1.7000000015E9");
  }

  @Test
  void shouldExportTheRawTopicLagPerPartitionFromItsSourceAtEachScrape() throws IOException {
    PipelineMetrics metrics = new PipelineMetrics();
    assertThat(scrape(metrics)).doesNotContain("latentstream_raw_consumer_lag_records{");
    Map<String, Double> lag = new TreeMap<>(Map.of("0", 12.0, "3", 0.0));
    metrics.bindRawLag(() -> lag);

    assertThat(scrape(metrics))
        .contains("latentstream_raw_consumer_lag_records{partition=\"0\"} 12.0")
        .contains("latentstream_raw_consumer_lag_records{partition=\"3\"} 0.0");
    lag.put("0", 2.0);
    assertThat(scrape(metrics))
        .contains("latentstream_raw_consumer_lag_records{partition=\"0\"} 2.0");
  }
}
