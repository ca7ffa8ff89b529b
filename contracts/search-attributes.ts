// The Lazarus search attributes (registered by temporal-dev.yaml locally; by the operator in production).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const LazarusService = defineSearchAttributeKey('LazarusService', SearchAttributeType.KEYWORD);
export const LazarusHost = defineSearchAttributeKey('LazarusHost', SearchAttributeType.KEYWORD);
export const LazarusRegion = defineSearchAttributeKey('LazarusRegion', SearchAttributeType.KEYWORD);
export const LazarusEventType = defineSearchAttributeKey('LazarusEventType', SearchAttributeType.KEYWORD);
export const LazarusRule = defineSearchAttributeKey('LazarusRule', SearchAttributeType.KEYWORD);
export const LazarusOutcome = defineSearchAttributeKey('LazarusOutcome', SearchAttributeType.KEYWORD);
