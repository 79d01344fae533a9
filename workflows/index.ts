export { analyzeDocument } from './analyze-document';
