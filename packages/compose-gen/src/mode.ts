/** The client modes (see @tp0/protocol's client-mode), under the names this package uses; its entry loads no codec. */
export { CLIENT_MODES as MODES, DEFAULT_CLIENT_MODE as DEFAULT_MODE, isClientMode as isMode, type ClientMode as Mode } from '@tp0/protocol/client-mode';
