import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { directoryPage } from '../../core/page.ts';
import { accountsQuery, containsPattern, directoryQuery, idParam, listQuery, pageQuery, parseQuery } from '../query-params.ts';
import { listAccountAnswers } from './answers.ts';
import { listAttributeDefinitions } from './attribute-definitions.ts';
import { findContact } from './contact.ts';
import { listMailingListMembers, listMailingLists } from './mailing-lists.ts';
import { accountExists, findAccount, listAccounts, listChildren, listContacts } from './queries.ts';

/** The directory's accounts, contacts, mailing lists and attribute definitions, read-only. */
export function directoryRoutes(db: Queryable): Router {
  const router = Router();

  router.get('/accounts', async (req, res) => {
    const query = parseQuery(accountsQuery, req.query);
    const page = await listAccounts(db, { directoryId: query.directory, limit: query.limit, offset: query.offset, pattern: containsPattern(query.q), sort: query.sort, top: query.top });
    res.json(directoryPage(page, query.directory));
  });

  router.get('/accounts/:externalId', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    res.json(found(await findAccount(db, directory, req.params.externalId), 'account', req.params.externalId, directory));
  });

  router.get('/accounts/:externalId/children', async (req, res) => {
    const query = parseQuery(pageQuery, req.query);
    const page = directoryPage(await listChildren(db, query.directory, req.params.externalId, query), query.directory);
    // Only an empty page asks whether the account itself exists: expanding a node costs one statement.
    if (page.total === 0 && !(await accountExists(db, query.directory, req.params.externalId))) throw notFound('account', req.params.externalId, query.directory);
    res.json(page);
  });

  router.get('/accounts/:externalId/answers', async (req, res) => {
    const query = parseQuery(pageQuery, req.query);
    if (!(await accountExists(db, query.directory, req.params.externalId))) throw notFound('account', req.params.externalId, query.directory);
    res.json(await listAccountAnswers(db, query.directory, req.params.externalId, query));
  });

  router.get('/contacts', async (req, res) => {
    const query = parseQuery(listQuery, req.query);
    res.json(directoryPage(await listContacts(db, { directoryId: query.directory, limit: query.limit, offset: query.offset, pattern: containsPattern(query.q) }), query.directory));
  });

  router.get('/contacts/:externalId', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    res.json(found(await findContact(db, directory, req.params.externalId), 'contact', req.params.externalId, directory));
  });

  router.get('/mailing-lists', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    res.json({ items: inDirectory(await listMailingLists(db, directory), directory) });
  });

  router.get('/mailing-lists/:id/members', async (req, res) => {
    const id = idParam(req.params.id, 'mailing list');
    const query = parseQuery(pageQuery, req.query);
    res.json(found(await listMailingListMembers(db, query.directory, id, query), 'mailing list', String(id), query.directory));
  });

  router.get('/attribute-definitions', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    res.json({ items: inDirectory(await listAttributeDefinitions(db, directory), directory) });
  });

  return router;
}

/** A 404 naming what is not in the directory (a deleted account or contact is not either). */
function notFound(what: string, id: string, directory: number): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `${what} ${id} is not in directory ${directory}${what === 'mailing list' ? '' : ' (or was deleted)'}`);
}

function found<T>(value: T | null, what: string, id: string, directory: number): T {
  if (value === null) throw notFound(what, id, directory);
  return value;
}

function inDirectory<T>(items: T[] | null, directory: number): T[] {
  if (items === null) throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${directory} does not exist`);
  return items;
}
