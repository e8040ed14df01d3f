/**
 * The JSON the tab API returns, under the page's names: the server's own definitions
 * (src/tab/tab-wire.ts), so the page and the API cannot drift apart unnoticed. Types only:
 * nothing of the server is bundled.
 */
import type {
  TabHistory,
  TabMatrix,
  TabMatrixPage,
  TabMe,
  TabMyAccess,
  TabPerson,
  TabRevokePreview,
  TabRow,
} from '../../src/tab/tab-wire';

export type { PullState } from '../../src/tab/tab-wire';
export type Person = TabPerson;
export type Row = TabRow;
export type Me = TabMe;
export type MatrixData = TabMatrix;
export type MatrixPage = TabMatrixPage;
export type MyAccess = TabMyAccess;
export type History = TabHistory;
export type RevokePreview = TabRevokePreview;
