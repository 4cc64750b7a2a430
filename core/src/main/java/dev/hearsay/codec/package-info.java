/**
 * The wire format (docs/wire-format.md): {@link dev.hearsay.codec.MessageEncoder} and
 * {@link dev.hearsay.codec.MessageDecoder} between protocol messages and frames, with every length and count
 * checked against its bound ({@link dev.hearsay.codec.DecodeException} names the field). Internal: public for the
 * engine, the transport and the tools, not a supported API.
 */
package dev.hearsay.codec;
