/** The LSF bitstream format: header, payload, integrity checks. */
package io.latentstream.codec.bitstream;
