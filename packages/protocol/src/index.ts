/**
 * @tp0/protocol — TP0's wire protocols, built on @tp0/codec: the lottery protocol (agencies send bets in batches,
 * the server acks, draws once every agency finished and answers each agency's winners) and the echo protocol of
 * the first exercises. The message tables are in the root README's Protocol section.
 */
export { CLIENT_MODES, DEFAULT_CLIENT_MODE, isClientMode, type ClientMode } from './client-mode.js';
export { betProblem, isCalendarDate, MAX_BET_NUMBER, MAX_NAME_BYTES, parseBetNumber, type AgencyBet, type Bet } from './bet.js';
export { echoProtocol } from './echo.js';
export {
  batchFrameSize,
  CLIENT_MAX_PAYLOAD_BYTES,
  ErrorCode,
  LOTTERY_HEADER,
  LOTTERY_MAGIC,
  LOTTERY_VERSION,
  TRANSIENT_ERRORS,
  lottery,
  lotteryRequestTypes,
  lotteryResponseTypes,
  lotteryProtocol,
  MAX_BATCH_FRAME_BYTES,
  SERVER_MAX_PAYLOAD_BYTES,
  type LotteryMessage,
  type LotteryMessageOf,
  type LotteryRequest,
  type LotteryResponse,
} from './lottery.js';
