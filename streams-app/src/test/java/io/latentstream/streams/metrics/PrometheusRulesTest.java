package io.latentstream.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring files in docker/prometheus/ as Prometheus' own tool reads them: the alerting rules
 * pass {@code promtool check rules}, their unit tests pass {@code promtool test rules}, the scrape
 * configuration passes {@code promtool check config}, and every alert has a unit-test case where it
 * fires and one where it does not.
 *
 * <p>promtool comes with Debian's {@code prometheus} package. Without it the promtool tests are
 * skipped with that reason, unless {@code LATENTSTREAM_REQUIRE_PROMETHEUS=1} (CI sets it after
 * installing the package): then they fail.
 */
class PrometheusRulesTest {

  static final Path DIR = Paths.get("..", "docker", "prometheus").toAbsolutePath().normalize();
  private static final Pattern ALERT =
      Pattern.compile("^\\s*- alert:\\s*(\\S+)\\s*$", Pattern.MULTILINE);

  @Test
  void shouldPassPromtoolCheckRules() throws Exception {
    Result r = promtool("check", "rules", DIR.resolve("alerts.yml").toString());
    assertThat(r.exit).as("promtool check rules:\n%s", r.output).isZero();
    assertThat(r.output).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void shouldPassTheRuleUnitTests() throws Exception {
    Result r = promtool("test", "rules", DIR.resolve("alerts.test.yml").toString());
    assertThat(r.exit).as("promtool test rules:\n%s", r.output).isZero();
    assertThat(r.output).contains("SUCCESS");
  }

  @Test
  void shouldPassPromtoolCheckConfigWithTheTokenFilesInPlace(@TempDir Path tmp) throws Exception {
    // the config names the token files as the compose service mounts them; point it at real ones
    // here
    String config = Files.readString(DIR.resolve("prometheus.yml"), StandardCharsets.UTF_8);
    assertThat(config)
        .contains(
            "/etc/prometheus/secrets/streams-app.token", "/etc/prometheus/secrets/trainer.token");
    Files.createDirectories(tmp.resolve("secrets"));
    Files.writeString(tmp.resolve("secrets/streams-app.token"), "t1");
    Files.writeString(tmp.resolve("secrets/trainer.token"), "t2");
    Files.copy(DIR.resolve("alerts.yml"), tmp.resolve("alerts.yml"));
    Path copy = tmp.resolve("prometheus.yml");
    Files.writeString(copy, config.replace("/etc/prometheus/", tmp + "/"));

    Result r = promtool("check", "config", copy.toString());

    assertThat(r.exit).as("promtool check config:\n%s", r.output).isZero();
  }

  @Test
  void shouldTestEveryAlertFiringAndNotFiring() throws IOException {
    String tests = Files.readString(DIR.resolve("alerts.test.yml"), StandardCharsets.UTF_8);
    Map<String, Set<Boolean>> cases = new HashMap<>();
    // each case: "- eval_time: ...", "alertname: X", then "exp_alerts: []" (quiet) or a list
    // (firing)
    Matcher m =
        Pattern.compile(
                "- eval_time:\\s*\\S+\\s*\\n\\s*alertname:\\s*(\\S+)\\s*\\n\\s*exp_alerts:(.*)")
            .matcher(tests);
    while (m.find()) {
      cases
          .computeIfAbsent(m.group(1), k -> new LinkedHashSet<>())
          .add(!m.group(2).strip().equals("[]"));
    }
    List<String> alerts = alerts();
    assertThat(alerts).as("alerts in alerts.yml").isNotEmpty();
    for (String alert : alerts) {
      assertThat(cases.getOrDefault(alert, Set.of()))
          .as("cases of %s (true: fires, false: quiet)", alert)
          .containsExactlyInAnyOrder(true, false);
    }
    assertThat(cases.keySet())
        .as("tested alerts that alerts.yml does not define")
        .isSubsetOf(alerts);
  }

  static List<String> alerts() throws IOException {
    Matcher m = ALERT.matcher(Files.readString(DIR.resolve("alerts.yml"), StandardCharsets.UTF_8));
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** A Debian prometheus package binary on the PATH, or null. */
  static Path binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Paths.get(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Skips (or fails under LATENTSTREAM_REQUIRE_PROMETHEUS=1) when the binary is missing. */
  static Path requireBinary(String name) {
    Path p = binary(name);
    if (p == null) {
      String why = name + " is not on the PATH (Debian package prometheus)";
      if ("1".equals(System.getenv("LATENTSTREAM_REQUIRE_PROMETHEUS"))) {
        Assertions.fail("LATENTSTREAM_REQUIRE_PROMETHEUS=1 but " + why);
      }
      Assumptions.abort("skipped: " + why);
    }
    return p;
  }

  private record Result(int exit, String output) {}

  private static Result promtool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(requireBinary("promtool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(124, new String(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
