// gzip response compression for the whole listener (ListenerOptions.compression), when the client
// accepts it. Envoy's defaults decide the rest: responses of at least 30 bytes with a textual
// content type, not already encoded.
import { typed } from '../json';
import { chainWideInstance } from './instance';
import type { HttpFilterModule } from './types';

export const COMPRESSOR_FILTER = 'envoy.filters.http.compressor';

export const compressorFilter: HttpFilterModule = {
  id: 'compressor',
  instances: ({ chain }) =>
    chain.options.compression
      ? [
          chainWideInstance(
            COMPRESSOR_FILTER,
            typed('envoy.extensions.filters.http.compressor.v3.Compressor', {
              compressor_library: { name: 'gzip', typed_config: typed('envoy.extensions.compression.gzip.compressor.v3.Gzip') },
            }),
          ),
        ]
      : [],
};
