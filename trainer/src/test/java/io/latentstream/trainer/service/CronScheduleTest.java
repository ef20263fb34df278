package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

  private static Instant next(String cron, String after) {
    return CronSchedule.parse(cron).next(Instant.parse(after));
  }

  @Test
  void shouldFireAtTheNextMatchingMinuteWhenTheFieldsAreFixed() {
    assertThat(next("30 2 * * *", "2026-11-25T01:00:00Z")).isEqualTo("2026-11-25T02:30:00Z");
    assertThat(next("30 2 * * *", "2026-11-25T02:30:00Z")).isEqualTo("2026-11-26T02:30:00Z");
    assertThat(next("0 0 1 1 *", "2026-11-25T10:00:00Z")).isEqualTo("2027-01-01T00:00:00Z");
  }

  @Test
  void shouldStepThroughRangesWhenStepsAndListsAreGiven() {
    assertThat(next("*/15 * * * *", "2026-11-25T10:07:12Z")).isEqualTo("2026-11-25T10:15:00Z");
    assertThat(next("0 8-18/5 * * *", "2026-11-25T13:10:00Z")).isEqualTo("2026-11-25T18:00:00Z");
    assertThat(next("5,50 3 * * *", "2026-11-25T03:06:00Z")).isEqualTo("2026-11-25T03:50:00Z");
  }

  @Test
  void shouldSkipToMondayWhenOnlyWeekdaysMatch() {
    // 2026-11-28 is a Saturday
    assertThat(next("0 6 * * 1-5", "2026-11-28T00:00:00Z")).isEqualTo("2026-11-30T06:00:00Z");
    assertThat(next("0 6 * * 7", "2026-11-28T00:00:00Z")).isEqualTo("2026-11-29T06:00:00Z");
  }

  @Test
  void shouldFireOnEitherDayWhenBothDayFieldsAreRestricted() {
    // the 1st of the month or any Sunday: 2026-11-29 is a Sunday, before 2026-12-01
    assertThat(next("0 0 1 * 0", "2026-11-25T00:00:00Z")).isEqualTo("2026-11-29T00:00:00Z");
  }

  @Test
  void shouldRejectTheConfigNamingTheKeyWhenTheExpressionIsBad() {
    assertThatThrownBy(
            () -> TrainerServiceConfig.of(Map.of(TrainerServiceConfig.SCHEDULE_CRON, "61 * * * *")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TrainerServiceConfig.SCHEDULE_CRON)
        .hasMessageContaining("minute");
    assertThatThrownBy(() -> CronSchedule.parse("* * *")).hasMessageContaining("5 fields");
    assertThatThrownBy(
            () -> CronSchedule.parse("0 0 31 2 *").next(Instant.parse("2026-01-01T00:00:00Z")))
        .isInstanceOf(IllegalStateException.class);
  }
}
