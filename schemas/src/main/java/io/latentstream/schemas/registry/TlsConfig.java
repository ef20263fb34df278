package io.latentstream.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings for talking to the registry: a truststore to verify the server, and optionally a
 * keystore for client authentication (mutual TLS). Immutable; passwords never appear in {@link
 * #toString()}.
 *
 * @param truststore the stores' file, password and type, or empty to trust the JDK's default CAs
 * @param keystore the client key store, or empty for no client certificate
 * @param keyPassword password of the private key in the keystore; empty means the keystore password
 */
public record TlsConfig(
    Optional<Store> truststore, Optional<Store> keystore, Optional<String> keyPassword) {

  /**
   * A key or trust store file.
   *
   * @param path the file
   * @param password its password, or empty for none
   * @param type {@code PKCS12} or {@code JKS}
   */
  public record Store(Path path, Optional<String> password, String type) {

    public Store {
      java.util.Objects.requireNonNull(path, "path");
      password = password == null ? Optional.empty() : password;
      type = type == null || type.isBlank() ? "PKCS12" : type;
    }

    KeyStore load() throws IOException, GeneralSecurityException {
      KeyStore store = KeyStore.getInstance(type);
      try (InputStream in = Files.newInputStream(path)) {
        store.load(in, password.map(String::toCharArray).orElse(null));
      }
      return store;
    }

    @Override
    public String toString() {
      return "Store[path="
          + path
          + ", type="
          + type
          + ", password="
          + (password.isPresent() ? "[hidden]" : "none")
          + "]";
    }
  }

  public TlsConfig {
    truststore = truststore == null ? Optional.empty() : truststore;
    keystore = keystore == null ? Optional.empty() : keystore;
    keyPassword = keyPassword == null ? Optional.empty() : keyPassword;
  }

  /** TLS that verifies the server against the given truststore only. */
  public static TlsConfig trusting(Path truststore, String password, String type) {
    return new TlsConfig(
        Optional.of(new Store(truststore, Optional.ofNullable(password), type)),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * Builds the SSL context these settings describe.
   *
   * @throws IllegalArgumentException if a store cannot be read or the password is wrong
   */
  public SSLContext toSslContext() {
    try {
      TrustManager[] trustManagers = null;
      if (truststore.isPresent()) {
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(truststore.get().load());
        trustManagers = tmf.getTrustManagers();
      }
      KeyManager[] keyManagers = null;
      if (keystore.isPresent()) {
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        char[] keyPass =
            keyPassword.or(() -> keystore.get().password()).map(String::toCharArray).orElse(null);
        kmf.init(keystore.get().load(), keyPass);
        keyManagers = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "Cannot build the schema registry TLS context from " + this + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return "TlsConfig[truststore="
        + truststore.map(Store::toString).orElse("JDK default")
        + ", keystore="
        + keystore.map(Store::toString).orElse("none")
        + "]";
  }
}
