package io.latentstream.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link TestPlatform} parameters. The platform starts lazily on the first request in a
 * test JVM and is stored in the root extension context, so every test class shares it and JUnit
 * closes it when the run ends (also after failures); a JVM shutdown hook closes it too, should
 * JUnit not get there.
 *
 * <p>Stateless; use it through {@link RealPlatform}.
 */
public final class RealPlatformExtension implements ParameterResolver {
  /**
   * Where the run's platform is kept, in the root context's store (package-private for the sharing
   * test).
   */
  static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealPlatformExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestPlatform.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return platform(context);
  }

  static TestPlatform platform(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            SharedPlatform.class, key -> SharedPlatform.start(), SharedPlatform.class);
  }
}
