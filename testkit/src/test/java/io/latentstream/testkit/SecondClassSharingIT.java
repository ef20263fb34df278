package io.latentstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A second class. Sharing holds whatever the order of the classes: the platform handed to this
 * class must be the one kept in the run's root context (where every other class's resolution finds
 * it), and every class that already ran must have seen the same one.
 */
@RealPlatform
class SecondClassSharingIT {

  /** The class's extension context, for looking at the run's store. */
  @RegisterExtension static final ContextCapture CONTEXT = new ContextCapture();

  @BeforeAll
  static void recordPlatform(TestPlatform platform) {
    PlatformSightings.SEEN.add(platform);
  }

  @Test
  void shouldShareOnePlatformWhenSeveralClassesRun(TestPlatform platform) {
    ExtensionContext root = CONTEXT.context.getRoot();
    assertThat(root).isNotSameAs(CONTEXT.context);
    assertThat(root.getStore(RealPlatformExtension.NAMESPACE).get(SharedPlatform.class))
        .as("the platform kept for the whole run, which every class's resolution returns")
        .isSameAs(platform);
    // a class that resolves it later (another class context under the same root) gets this one
    assertThat(RealPlatformExtension.platform(CONTEXT.context)).isSameAs(platform);
    assertThat(PlatformSightings.SEEN).containsOnly(platform);
  }

  @Test
  void shouldCreateCompactedTopicWhenConfigsGiven(TestPlatform platform) throws Exception {
    String topic = platform.uniqueName("models.releases");
    platform.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));

    try (Admin admin = Admin.create(platform.clientConfig())) {
      var resource =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
      var config =
          admin
              .describeConfigs(java.util.List.of(resource))
              .all()
              .get(30, TimeUnit.SECONDS)
              .get(resource);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }
  }

  static final class ContextCapture implements BeforeAllCallback {
    private volatile ExtensionContext context;

    @Override
    public void beforeAll(ExtensionContext context) {
      this.context = context;
    }
  }
}
