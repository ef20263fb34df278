/** The file-level commands {@code encode}, {@code decode}, {@code eval} and {@code bench}. */
package io.latentstream.codec.cli;
