package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A consumer that starts in the middle of a camera's chain (a plain KafkaConsumer, read_committed,
 * from the end of the topic, with the codec's FrameReceiver) cannot decode the DELTA frames it sees
 * first; it asks for a key frame through {@code POST /cameras/{id}/keyframe} and gets pictures
 * right after, long before the key-frame interval.
 */
@RealPlatform
class ConsumerJoinIT {

  @Test
  void shouldGetPicturesAfterRequestingAKeyFrameWhenJoiningMidStream(TestPlatform platform)
      throws Exception {
    PipelineFixture fixture =
        new PipelineFixture(platform, 2)
            .set(StreamsAppConfig.SAMPLE_RATE, 0.0)
            .set(StreamsAppConfig.KEYFRAME_INTERVAL_FRAMES, 100_000)
            .set(StreamsAppConfig.KEYFRAME_INTERVAL_MS, 0L);
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    HttpClient http = HttpClient.newHttpClient();
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer();
        CodecModel model = CodecModel.load(FixtureModels.level(2))) {
      CompletableFuture<Void> camera =
          CompletableFuture.runAsync(
              () -> {
                for (int seq = 0; !stop.get() && seq < 2000; seq++) {
                  fixture.sendRaw(
                      producer, TestFrames.raw("cam-0", seq, TestFrames.image(0, seq / 10)));
                  producer.flush();
                  sent.incrementAndGet();
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      // the chain has started before the consumer joins
      fixture.readCommitted(latent, 30, Duration.ofSeconds(60));

      List<Integer> requestStatuses = new ArrayList<>();
      FrameReceiver receiver =
          new FrameReceiver(
              LearnedCodec.only(model),
              id -> {
                URI uri = app.http().baseUri().resolve("/cameras/" + id + "/keyframe");
                try {
                  requestStatuses.add(
                      http.send(
                              HttpRequest.newBuilder(uri)
                                  .POST(HttpRequest.BodyPublishers.noBody())
                                  .build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              Duration.ofSeconds(5).toNanos());
      Map<String, Object> c = platform.clientConfig();
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      List<FrameReceiver.Received> got = new ArrayList<>();
      List<LatentFrame> frames = new ArrayList<>();
      try (KafkaConsumer<String, LatentFrame> consumer =
          new KafkaConsumer<>(
              c, new StringDeserializer(), fixture.serdes().latentFrame().deserializer())) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(latent).stream()
                .map(p -> new TopicPartition(latent, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (got.stream().filter(r -> r instanceof FrameReceiver.Picture).count() < 20
            && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, LatentFrame> r : consumer.poll(Duration.ofMillis(200))) {
            frames.add(r.value());
            got.add(
                receiver.receive(r.value().getCameraId(), Chains.bytes(r.value().getBitstream())));
          }
        }
      } finally {
        stop.set(true);
        camera.join();
      }
      assertThat(got.get(0))
          .as("the first frame seen is a DELTA of a chain that started earlier")
          .isInstanceOfSatisfying(
              FrameReceiver.Waiting.class, w -> assertThat(w.requested()).isTrue());
      assertThat(requestStatuses).containsExactly(202);
      int firstPicture = 0;
      while (!(got.get(firstPicture) instanceof FrameReceiver.Picture)) {
        firstPicture++;
      }
      LatentFrame key = frames.get(firstPicture);
      assertThat(key.getFrameType()).isEqualTo(FrameType.KEY);
      assertThat(key.getKeyframeCause()).isEqualTo("REQUEST");
      assertThat(got.subList(firstPicture, got.size()))
          .allSatisfy(r -> assertThat(r).isInstanceOf(FrameReceiver.Picture.class));
      assertThat(got.size() - firstPicture).isGreaterThanOrEqualTo(20);
      assertThat(sent.get()).as("far fewer frames than the interval").isLessThan(2000);
    }
  }
}
