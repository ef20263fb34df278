package io.latentstream.streams.consume;

import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.serde.RecordSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./latentstream consume --out DIR}: a consumer of {@code images.latent} with a plain {@link
 * KafkaConsumer} (read_committed) and the codec's {@link FrameReceiver}: writes each camera's
 * pictures as PNGs as they arrive ({@code DIR/<camera>/<sequence>.png}). Joining mid-stream, it
 * asks for a key frame of each camera whose DELTA frames it cannot decode yet (on the key-frame
 * request topic) instead of waiting for the interval.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description =
        "Decode images.latent as it arrives and write PNGs (KEY and DELTA frames, any camera).")
public final class ConsumeCommand implements Callable<Integer> {
  @Option(
      names = "--bootstrap",
      defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(
      names = "--registry",
      defaultValue = "http://127.0.0.1:8081/apis/ccompat/v7",
      description = "Schema registry URL (Confluent API).")
  String registry;

  @Option(
      names = "--topic",
      defaultValue = "images.latent",
      description = "Topic of LatentFrame records.")
  String topic;

  @Option(
      names = "--keyframe-topic",
      defaultValue = "images.keyframe.requests",
      description = "Where key-frame requests go (empty: never ask, wait for the interval).")
  String keyframeTopic;

  @Option(names = "--cameras", split = ",", description = "Only these camera ids (default: all).")
  Set<String> cameras;

  @Option(names = "--out", required = true, description = "Folder for the PNGs.")
  Path out;

  @Option(
      names = "--frames",
      defaultValue = "0",
      description = "Stop after this many pictures (0: run until Ctrl-C).")
  long frames;

  @Option(
      names = "--from-beginning",
      description = "Read the topic from its start (default: only new frames).")
  boolean fromBeginning;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConsumeCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    RecordSerdes serdes =
        new RecordSerdes(
            RecordSerdes.client(
                StreamsAppConfig.of(Map.of(StreamsAppConfig.SCHEMA_REGISTRY_URL, registry))));
    Map<String, Object> consumerConfig =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            "latentstream-consume-" + UUID.randomUUID(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            fromBeginning ? "earliest" : "latest",
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            16 * 1024 * 1024);
    Map<String, Object> producerConfig =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0);
    long written = 0;
    try (ModelCatalog models = ModelCatalog.fromEnvironment();
        KafkaConsumer<String, LatentFrame> consumer =
            new KafkaConsumer<>(
                consumerConfig, new StringDeserializer(), serdes.latentFrame().deserializer());
        KafkaProducer<byte[], byte[]> requests =
            new KafkaProducer<>(
                producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      FrameReceiver receiver =
          new FrameReceiver(
              models,
              keyframeTopic.isBlank()
                  ? null
                  : camera -> {
                    requests.send(
                        new ProducerRecord<>(
                            keyframeTopic, camera.getBytes(StandardCharsets.UTF_8), new byte[0]));
                    System.err.println("consume: asked camera " + camera + " for a key frame");
                  },
              TimeUnit.SECONDS.toNanos(2));
      consumer.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              receiver.forgetAll(); // the chains of moved cameras restart with their next key frame
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
          });
      Runtime.getRuntime().addShutdownHook(new Thread(consumer::wakeup));
      try {
        while (frames == 0 || written < frames) {
          for (ConsumerRecord<String, LatentFrame> r : consumer.poll(Duration.ofMillis(500))) {
            LatentFrame f = r.value();
            if (f == null || (cameras != null && !cameras.contains(f.getCameraId()))) {
              continue;
            }
            ByteBuffer b = f.getBitstream().duplicate();
            byte[] bits = new byte[b.remaining()];
            b.get(bits);
            FrameReceiver.Received got = receiver.receive(f.getCameraId(), bits);
            if (got instanceof FrameReceiver.Picture p) {
              Path file =
                  out.resolve(safe(p.camera())).resolve(String.format("%010d.png", p.sequence()));
              Files.createDirectories(file.getParent());
              ImageFiles.writePng(p.image(), file);
              written++;
              System.out.printf("%s %d %s -> %s%n", p.camera(), p.sequence(), p.type(), file);
            } else if (got instanceof FrameReceiver.Waiting w) {
              System.out.printf("%s %d waiting: %s%n", w.camera(), f.getSequence(), w.reason());
            }
          }
        }
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        // Ctrl-C
      }
    }
    System.err.println("consume: " + written + " pictures written to " + out);
    return 0;
  }

  private static String safe(String camera) {
    return camera.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
