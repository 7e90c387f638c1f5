import type { z } from 'zod';
import { DurationStatsBody, FailureRateStatsBody } from '../stats/results';
import {
  AddTargetBody,
  DurationStatsParams,
  FailureRateStatsParams,
  HealthBody,
  JobHistoryBody,
  JobPageBody,
  JobPathParams,
  ListJobsParams,
  ListTargetsParams,
  OpenApiDocumentBody,
  TargetListBody,
  TargetPathParams,
  TargetResultBody,
} from './schemas';

/** One route of the API: what serverless.yml wires and what the OpenAPI document describes. */
export interface ApiRoute {
  method: 'get' | 'post' | 'delete';
  /** API Gateway path, `{name}` for path parameters (the same form in serverless.yml and OpenAPI). */
  path: string;
  /** The serverless.yml `handler` of the function serving it. */
  handler: string;
  operationId: string;
  summary: string;
  /** `iam`: signed with SigV4 (or a JWT when the JWT authorizer is configured); `none`: open. */
  auth: 'iam' | 'none';
  query?: z.ZodType;
  pathParams?: z.ZodType;
  body?: z.ZodType;
  /** Successful answers by status code. */
  responses: Record<number, { description: string; schema: z.ZodType }>;
  /** Error statuses the route may answer besides 500. */
  errors: number[];
}

/** Every route of the API. */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/jobs',
    handler: 'functions/list-jobs.handler',
    operationId: 'listJobs',
    summary: 'Latest job states, newest first (startedAt, else createdAt), paginated',
    auth: 'iam',
    query: ListJobsParams,
    responses: { 200: { description: 'One page of jobs', schema: JobPageBody } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/jobs/{source}/{jobId}',
    handler: 'functions/get-job.handler',
    operationId: 'getJob',
    summary: 'A job: its latest state and every distinct observed state, oldest first',
    auth: 'iam',
    pathParams: JobPathParams,
    responses: { 200: { description: 'The job and its history', schema: JobHistoryBody } },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/stats/durations',
    handler: 'functions/stats-durations.handler',
    operationId: 'getDurationStats',
    summary: 'Duration count, min, max, mean and percentiles of terminal runs, per group',
    auth: 'iam',
    query: DurationStatsParams,
    responses: { 200: { description: 'Duration figures per group', schema: DurationStatsBody } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/stats/failure-rates',
    handler: 'functions/stats-failure-rates.handler',
    operationId: 'getFailureRates',
    summary: 'Terminal runs by status, failure rate and its Wilson 95 % interval, per group',
    auth: 'iam',
    query: FailureRateStatsParams,
    responses: { 200: { description: 'Failure figures per group', schema: FailureRateStatsBody } },
    errors: [400],
  },
  {
    method: 'get',
    path: '/targets',
    handler: 'functions/list-targets.handler',
    operationId: 'listTargets',
    summary: 'The watch list (fleets and policy jobs polled)',
    auth: 'iam',
    query: ListTargetsParams,
    responses: { 200: { description: 'The targets', schema: TargetListBody } },
    errors: [400],
  },
  {
    method: 'post',
    path: '/targets',
    handler: 'functions/add-target.handler',
    operationId: 'addTarget',
    summary: 'Watch a fleet or a policy job (idempotent)',
    auth: 'iam',
    body: AddTargetBody,
    responses: {
      201: { description: 'The target was added', schema: TargetResultBody },
      200: { description: 'The target already existed; returned unchanged', schema: TargetResultBody },
    },
    errors: [400],
  },
  {
    method: 'delete',
    path: '/targets/{kind}/{id}',
    handler: 'functions/remove-target.handler',
    operationId: 'retireTarget',
    summary: 'Stop watching a target: it is retired (kept, with its history), not deleted',
    auth: 'iam',
    pathParams: TargetPathParams,
    responses: { 200: { description: 'The retired target', schema: TargetResultBody } },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/openapi.json',
    handler: 'functions/openapi.handler',
    operationId: 'getOpenApi',
    summary: 'This document',
    auth: 'iam',
    responses: { 200: { description: 'The OpenAPI 3.1 document', schema: OpenApiDocumentBody } },
    errors: [],
  },
  {
    method: 'get',
    path: '/health',
    handler: 'functions/health.handler',
    operationId: 'getHealth',
    summary: 'Liveness: ok once the service can reach its table',
    auth: 'none',
    responses: { 200: { description: 'The table is reachable', schema: HealthBody } },
    errors: [503],
  },
];
