package io.latentstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A second class: whichever of the two runs later fails if it was given a platform of its own. */
@RealPlatform
class SecondClassSharingIT {

    @BeforeAll
    static void recordPlatform(TestPlatform platform) {
        PlatformSightings.SEEN.add(platform);
    }

    @Test
    void shouldShareOnePlatformWhenSeveralClassesRun(TestPlatform platform) {
        assertThat(PlatformSightings.SEEN).containsOnly(platform);
    }

    @Test
    void shouldCreateCompactedTopicWhenConfigsGiven(TestPlatform platform) throws Exception {
        String topic = platform.uniqueName("models.releases");
        platform.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));

        try (Admin admin = Admin.create(platform.clientConfig())) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            var config = admin.describeConfigs(java.util.List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }
}
