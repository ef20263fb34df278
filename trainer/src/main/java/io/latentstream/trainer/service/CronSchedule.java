package io.latentstream.trainer.service;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}, UTC) for
 * retraining schedules, e.g. {@code 30 2 * * *} (02:30 every day) or {@code 0 *}{@code /6 * * 1-5}
 * (every six hours on weekdays). Each field takes {@code *}, numbers, ranges {@code a-b}, lists
 * {@code a,b} and steps {@code *}{@code /n}, {@code a-b/n}; day of week 0 and 7 are Sunday. As in
 * classic cron, when both day fields are restricted a day matching either one fires. No names
 * ({@code MON}, {@code JAN}) and no seconds. Immutable and thread-safe.
 */
public final class CronSchedule {
  private static final int SEARCH_YEARS = 5;

  private final String expression;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet weekdays;
  private final boolean daysRestricted;
  private final boolean weekdaysRestricted;

  private CronSchedule(String expression, String[] f) {
    this.expression = expression;
    this.minutes = field(f[0], 0, 59, "minute");
    this.hours = field(f[1], 0, 23, "hour");
    this.days = field(f[2], 1, 31, "day of month");
    this.months = field(f[3], 1, 12, "month");
    BitSet dow = field(f[4], 0, 7, "day of week");
    if (dow.get(7)) {
      dow.set(0);
    }
    this.weekdays = dow;
    this.daysRestricted = !f[2].equals("*");
    this.weekdaysRestricted = !f[4].equals("*");
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException naming the bad field
   */
  public static CronSchedule parse(String expression) {
    String[] f = expression.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "cron expression '"
              + expression
              + "' must have 5 fields: minute hour day-of-month month day-of-week");
    }
    return new CronSchedule(expression.trim(), f);
  }

  private static BitSet field(String text, int min, int max, String name) {
    BitSet out = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), 1, max, name);
      }
      int lo;
      int hi;
      if (range.equals("*")) {
        lo = min;
        hi = max;
      } else if (range.contains("-")) {
        String[] ab = range.split("-", -1);
        if (ab.length != 2) {
          throw new IllegalArgumentException("bad " + name + " range '" + range + "'");
        }
        lo = number(ab[0], min, max, name);
        hi = number(ab[1], min, max, name);
        if (lo > hi) {
          throw new IllegalArgumentException("bad " + name + " range '" + range + "'");
        }
      } else {
        lo = number(range, min, max, name);
        hi = slash >= 0 ? max : lo;
      }
      for (int v = lo; v <= hi; v += step) {
        out.set(v);
      }
    }
    return out;
  }

  private static int number(String text, int min, int max, String name) {
    try {
      int v = Integer.parseInt(text);
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " " + v + " is outside " + min + ".." + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad " + name + " '" + text + "'", e);
    }
  }

  /**
   * The first matching minute strictly after {@code after}.
   *
   * @throws IllegalStateException when nothing matches within five years (e.g. {@code 0 0 31 2 *})
   */
  public Instant next(Instant after) {
    ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime limit = t.plusYears(SEARCH_YEARS);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.withHour(0).withMinute(0).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.withMinute(0).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
      } else {
        return t.toInstant();
      }
    }
    throw new IllegalStateException(
        "cron expression '" + expression + "' matches no time in " + SEARCH_YEARS + " years");
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = days.get(t.getDayOfMonth());
    boolean dow = weekdays.get(t.getDayOfWeek().getValue() % 7);
    if (daysRestricted && weekdaysRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  @Override
  public String toString() {
    return expression;
  }
}
