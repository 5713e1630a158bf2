import { makeScriptParamsRule } from './script-rule-factory.js';

export const rule = makeScriptParamsRule('post');
