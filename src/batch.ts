/**
 * `middy-data-masking/batch`: masking for queue and stream consumers and Firehose transformations
 * (SQS, SNS, Kinesis, DynamoDB Streams, Kafka, Firehose). It needs `@middy/core` (>= 6) for the
 * middleware's types only, and `@aws-sdk/util-dynamodb` for DynamoDB Streams records only (loaded on the
 * first one).
 *
 * @module
 */
export { type BatchMaskingOptions, batchMasking } from './batch/batch-masking.js';
export {
  type DecryptingRecordHandlerOptions,
  decryptingRecordHandler,
} from './batch/decrypting-record-handler.js';
export {
  type FailedRecordResult,
  type FirehoseMaskingOptions,
  type FirehoseRecordIn,
  type FirehoseRecordOut,
  maskFirehoseRecords,
  type TableRules,
} from './batch/firehose-transform.js';
export {
  type MaskedBatch,
  type MaskRecordsOptions,
  maskRecords,
  type RecordCryptoOptions,
  type RecordFailure,
  type RecordTableRules,
} from './batch/mask-records.js';
export type { RecordContext } from './batch/record-support.js';
export {
  type BatchSource,
  detectSource,
  type ItemIdentifier,
  type KafkaItemIdentifier,
} from './batch/sources.js';
