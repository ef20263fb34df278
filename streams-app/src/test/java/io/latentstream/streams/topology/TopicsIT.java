package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.streams.PipelineFixture;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.errors.TopicConfigurationException;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** Topic creation and verification at start, against the real broker. */
@RealPlatform
class TopicsIT {

  @Test
  void shouldCreateMissingTopicsWithFrameLimitsAndCompactionThenAcceptThem(TestPlatform platform)
      throws Exception {
    StreamsAppConfig config =
        new PipelineFixture(platform, 3).set(StreamsAppConfig.FRAME_MAX_BYTES, 2_000_000).config();
    try (Admin admin = Admin.create(platform.clientConfig())) {
      List<String> created = Topics.ensure(admin, Topics.specs(config), true);

      assertThat(created).hasSize(9);
      String raw = config.getString(StreamsAppConfig.TOPIC_RAW);
      // key-frame requests must land in the task that encodes the camera: as many partitions as the
      // raw topic
      String requests = config.getString(StreamsAppConfig.TOPIC_KEYFRAME_REQUESTS);
      assertThat(partitions(admin, requests)).isEqualTo(3);
      String releases = config.getString(StreamsAppConfig.TOPIC_RELEASES);
      assertThat(partitions(admin, raw)).isEqualTo(3);
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  List.of(
                      new ConfigResource(ConfigResource.Type.TOPIC, raw),
                      new ConfigResource(ConfigResource.Type.TOPIC, releases)))
              .all()
              .get(30, TimeUnit.SECONDS);
      Config rawConfig = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, raw));
      assertThat(rawConfig.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
          .isEqualTo(Integer.toString(2_000_000 + Topics.ENVELOPE_BYTES));
      assertThat(rawConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete");
      assertThat(
              configs
                  .get(new ConfigResource(ConfigResource.Type.TOPIC, releases))
                  .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                  .value())
          .isEqualTo("compact");

      assertThat(Topics.ensure(admin, Topics.specs(config), true)).isEmpty();
    }
  }

  @Test
  void shouldNameTopicSettingExpectedAndActualWhenAnExistingTopicDiffers(TestPlatform platform) {
    PipelineFixture fixture = new PipelineFixture(platform, 3);
    String raw = fixture.topic(StreamsAppConfig.TOPIC_RAW);
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    platform.createTopic(raw, 2);
    platform.createTopic(latent, 3, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000000"));
    try (Admin admin = Admin.create(platform.clientConfig())) {
      assertThatThrownBy(() -> Topics.ensure(admin, Topics.specs(fixture.config()), true))
          .isInstanceOf(TopicConfigurationException.class)
          .hasMessageContaining("topic " + raw + ": partitions expected 3, actual 2")
          .hasMessageContaining(
              "topic "
                  + latent
                  + ": max.message.bytes expected >= "
                  + (8 * 1024 * 1024 + Topics.ENVELOPE_BYTES))
          .hasMessageContaining("actual 1000000");
    }
  }

  @Test
  void shouldListMissingTopicsWhenCreationIsOff(TestPlatform platform) {
    StreamsAppConfig config =
        new PipelineFixture(platform, 1).set(StreamsAppConfig.TOPIC_CREATE, false).config();
    try (Admin admin = Admin.create(platform.clientConfig())) {
      assertThatThrownBy(() -> Topics.ensure(admin, Topics.specs(config), false))
          .isInstanceOf(TopicConfigurationException.class)
          .hasMessageContaining(config.getString(StreamsAppConfig.TOPIC_RAW) + ": missing");
    }
  }

  private static int partitions(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .size();
  }
}
