package io.latentstream.testkit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every {@link TestPlatform} instance handed to a test class of this module, to prove they are one.
 */
final class PlatformSightings {
  static final Set<TestPlatform> SEEN = ConcurrentHashMap.newKeySet();

  private PlatformSightings() {}
}
