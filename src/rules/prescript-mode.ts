import { makeScriptModeRule } from './script-rule-factory.js';

export const rule = makeScriptModeRule('pre');
