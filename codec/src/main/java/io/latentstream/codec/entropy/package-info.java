/** The entropy bottleneck at inference time: quantization, frequency tables and the rANS coder. */
package io.latentstream.codec.entropy;
