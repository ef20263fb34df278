/** Rate and distortion: bpp, PSNR, MS-SSIM, BD-rate. */
package io.latentstream.codec.metrics;
