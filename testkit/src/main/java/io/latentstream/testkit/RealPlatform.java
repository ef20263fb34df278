package io.latentstream.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kafka broker and a real schema registry: parameters of type {@link
 * TestPlatform} (on {@code @BeforeAll}, {@code @BeforeEach} and {@code @Test} methods) are resolved
 * by {@link RealPlatformExtension}. Tagged {@code platform} so builds can select or skip these
 * tests.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RealPlatformExtension.class)
@Tag("platform")
public @interface RealPlatform {}
