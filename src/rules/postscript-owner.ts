import { makeScriptOwnerRule } from './script-rule-factory.js';

export const rule = makeScriptOwnerRule('post');
