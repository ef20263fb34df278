/**
 * The learned image codec: {@link io.latentstream.codec.LearnedCodec} compresses images to
 * self-describing LSF bitstreams and back, with the model version each bitstream names. Failures
 * are {@link io.latentstream.codec.CodecException}s. This module never depends on Kafka.
 */
package io.latentstream.codec;
