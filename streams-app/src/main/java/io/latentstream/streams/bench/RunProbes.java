package io.latentstream.streams.bench;

import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.streams.feed.FrameTally;
import io.latentstream.streams.topology.DecodeTopology;
import io.latentstream.streams.topology.EncodeTopology;
import io.latentstream.streams.topology.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Two measurements taken at the end of a key/delta run while its app still runs, on the frames it
 * just encoded.
 *
 * <p><b>Failover.</b> What moving a camera to another instance costs in bytes: the new task
 * restores the camera's committed chain position from the {@code encode-chains} changelog (its
 * records are read back here and sized), and since the reference picture itself is not in the
 * changelog, the camera's next frame is a KEY frame (cause RESET) instead of a DELTA. That KEY
 * frame is decodable on its own, so the moved camera's first frame after the move is decodable as
 * soon as it is written. Cost per moved camera = chain-state record + (mean KEY - mean DELTA
 * bytes).
 *
 * <p><b>Random access.</b> {@code GET /frames/{camera}/{seq}?format=raw} through the app's real
 * HTTP endpoint, for frames picked at random (seeded) along the chains of cameras nobody has asked
 * for yet, so the decoder holds no state of its own for them and every request starts from the
 * decode store's checkpoints (one every {@link DecodeTopology#CHECKPOINT_EVERY} frames, kept as the
 * frames arrived) or the key frame; against one KEY decode as a consumer does it ({@link
 * FrameReceiver} on the camera's KEY frame), measured in the same JVM right after. Medians.
 */
final class RunProbes {

  private static final int RANDOM_REQUESTS = 24;
  private static final int KEY_DECODES = 9;
  private static final Duration MIRROR_WAIT = Duration.ofSeconds(60);

  private RunProbes() {}

  /**
   * What a store's changelog topic holds: its records, their bytes (key and value), and the last
   * size per key.
   */
  private record Changelog(long records, long bytes, Map<String, Integer> lastSize) {}

  private static Changelog changelog(StreamsAppConfig config, String store) {
    String topic = config.getString(StreamsAppConfig.APPLICATION_ID) + "-" + store + "-changelog";
    Map<String, Object> c = Topics.readerConfig(config);
    long records = 0;
    long bytes = 0;
    Map<String, Integer> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = Topics.consumer(c)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          int size =
              (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
          records++;
          bytes += size;
          last.put(new String(r.key(), StandardCharsets.ISO_8859_1), size);
        }
      }
    }
    return new Changelog(records, bytes, last);
  }

  static Map<String, Object> failover(
      StreamsAppConfig config, CameraFeed frames, FrameTally tally) {
    Changelog chains = changelog(config, EncodeTopology.CHAIN_STORE);
    long records = chains.records();
    long bytes = chains.bytes();
    Map<String, Integer> last = chains.lastSize();
    double stateBytes =
        last.values().stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
    int deltas = tally.latents() - tally.keyFrames();
    double keyMean = (double) tally.keyBytes() / Math.max(1, tally.keyFrames());
    double deltaMean =
        deltas == 0 ? Double.NaN : (double) (tally.latentBytes() - tally.keyBytes()) / deltas;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("chainChangelogRecords", records);
    out.put("chainChangelogBytesPerFrame", (double) bytes / Math.max(1, tally.latents()));
    out.put("chainStateBytesPerCamera", stateBytes);
    out.put("keyFrameBytesMean", keyMean);
    out.put("deltaFrameBytesMean", deltaMean);
    out.put("failoverBytesPerMovedCamera", stateBytes + keyMean - deltaMean);
    // the decode store's reference-state checkpoints (one every CHECKPOINT_EVERY frames of a chain)
    Changelog checkpoints = changelog(config, DecodeTopology.CHECKPOINTS);
    out.put("checkpointRecords", checkpoints.records());
    out.put(
        "checkpointBytesMean", (double) checkpoints.bytes() / Math.max(1, checkpoints.records()));
    out.put("checkpointBytesPerFrame", (double) checkpoints.bytes() / Math.max(1, tally.latents()));
    return out;
  }

  static Map<String, Object> randomAccess(
      StreamsApp app, CameraFeed frames, byte[][] bitstreams, FrameTally tally, Path modelsDir)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + app.http().port() + "/frames/";
    int cameras = frames.cameras();
    int last = frames.framesPerCamera() - 1;
    // the mirror has caught up once the last camera's last frame answers; that camera is then warm,
    // the others not
    int warmCamera = cameras - 1;
    long deadline = System.nanoTime() + MIRROR_WAIT.toNanos();
    while (get(http, base, frames.cameraId(warmCamera), last) != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the decode mirror did not serve "
                + frames.cameraId(warmCamera)
                + "/"
                + last
                + " within "
                + MIRROR_WAIT.toSeconds()
                + " s");
      }
      Thread.sleep(100); // polling the mirror: it has no completion signal
    }
    List<int[]> targets = new ArrayList<>();
    int coldCameras = Math.max(1, cameras - 1);
    for (int c = 0; c < coldCameras; c++) {
      for (int seq = 0; seq <= last; seq++) {
        targets.add(new int[] {c, seq});
      }
    }
    Collections.shuffle(targets, new Random(42));
    List<int[]> picked = targets.subList(0, Math.min(RANDOM_REQUESTS, targets.size()));
    Map<String, List<Boolean>> keys = tally.keyFramePerFrame();
    double[] millis = new double[picked.size()];
    int longestWalk = 0;
    int longestFromCheckpoint = 0;
    for (int i = 0; i < picked.size(); i++) {
      int camera = picked.get(i)[0];
      int seq = picked.get(i)[1];
      List<Boolean> k = keys.get(frames.cameraId(camera));
      int key = seq;
      while (key > 0 && !k.get(key)) {
        key--;
      }
      longestWalk = Math.max(longestWalk, seq - key);
      longestFromCheckpoint =
          Math.max(longestFromCheckpoint, (seq - key) % DecodeTopology.CHECKPOINT_EVERY);
      long start = System.nanoTime();
      int status = get(http, base, frames.cameraId(camera), seq);
      millis[i] = (System.nanoTime() - start) / 1e6;
      if (status != 200) {
        throw new IllegalStateException(
            "GET /frames/" + frames.cameraId(camera) + "/" + seq + " answered " + status);
      }
    }
    double[] keyMillis = new double[KEY_DECODES];
    try (ModelCatalog catalog = new ModelCatalog(modelsDir, 2)) {
      new FrameReceiver(catalog, null, 0).receive("warm-up", bitstreams[frames.index(0, 0)], true);
      for (int i = 0; i < KEY_DECODES; i++) {
        int camera = i % cameras;
        byte[] keyFrame = bitstreams[frames.index(camera, 0)];
        long start = System.nanoTime();
        FrameReceiver.Received got =
            new FrameReceiver(catalog, null, 0).receive(frames.cameraId(camera), keyFrame, true);
        keyMillis[i] = (System.nanoTime() - start) / 1e6;
        if (!(got instanceof FrameReceiver.Picture)) {
          throw new IllegalStateException(
              "the KEY frame of " + frames.cameraId(camera) + " did not decode: " + got);
        }
      }
    }
    double median = Percentiles.median(millis);
    double keyMedian = Percentiles.median(keyMillis);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("randomAccessRequests", picked.size());
    out.put("randomAccessLongestChainWalk", longestWalk);
    out.put("randomAccessLongestWalkFromCheckpoint", longestFromCheckpoint);
    out.put("randomAccessCheckpointEvery", DecodeTopology.CHECKPOINT_EVERY);
    out.put("randomAccessMedianMs", median);
    out.put("randomAccessP90Ms", Percentiles.of(millis, 90));
    out.put("randomAccessMaxMs", Percentiles.of(millis, 100));
    out.put("keyDecodeMedianMs", keyMedian);
    out.put("randomAccessMedianOverKeyDecode", median / keyMedian);
    out.put("randomAccessMaxOverKeyDecode", Percentiles.of(millis, 100) / keyMedian);
    return out;
  }

  private static int get(HttpClient http, String base, String camera, int seq)
      throws IOException, InterruptedException {
    URI uri =
        URI.create(
            base + URLEncoder.encode(camera, StandardCharsets.UTF_8) + "/" + seq + "?format=raw");
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return response.statusCode();
  }
}
