// Services: each subscribes to a profile and may override its parameters and notifications; the result is the
// service's policy in the snapshot. Overrides are checked against the merged values, and blamed on the service.
// Every service has a paging route (its own routing key, its profile's, its team's or the deployment's default):
// one without is an error in its file, so no page Lazarus handles is left with nowhere to go.
import type { ServiceNotificationChannels, ServicePolicy } from '../resolved-config';
import type { BrokenNames, Parsed } from './config-files';
import type { ConfigIssue } from './errors';
import type { DeploymentFile, NotificationsFile, ServiceFile } from './file-shapes';
import {
  flattenParams,
  mergeParams,
  scalingIssues,
  shadowedBuiltInIssues,
  stepTimeoutIssues,
  type FlatParams,
} from './profile-params';
import type { ResolvedProfiles } from './profile-resolution';
import type { ResolvedProfile } from './snapshot';
import { issueAt, type YamlSource } from './yaml-source';

/** Every service's policy by name; a service with a problem (reported) is left out. */
export function resolveServices(
  services: ReadonlyMap<string, Parsed<ServiceFile>>,
  profiles: ResolvedProfiles,
  brokenNames: BrokenNames,
  /** The deployment file, when it passed its schema: team email domain and paging defaults. */
  deployment: Parsed<DeploymentFile> | undefined,
  issues: ConfigIssue[],
): Record<string, ServicePolicy> {
  const policies: Record<string, ServicePolicy> = {};
  const teamEmailDomain = deployment?.value.team_email_domain;
  for (const { source, value: service } of services.values()) {
    const profile = profiles.resolved.get(service.profile);
    const profileParams = profiles.paramsFiles.get(service.profile);
    if (!profileParams) {
      if (!brokenNames.profile.has(service.profile)) {
        issues.push(
          issueAt(source, ['profile'], `unknown profile "${service.profile}" (no profiles/*.yaml has that name)`),
        );
      }
      continue;
    }
    // Checked apart from the parameters, so one pass reports both kinds of problem.
    const routingKey = profile ? pagingRoute(source, service, profile, deployment, issues) : undefined;
    issues.push(...shadowedBuiltInIssues(source, service.params));
    const merged = mergeParams(profileParams, service.params);
    const scaling = scalingIssues(source, merged, service.params);
    issues.push(...scaling);
    // A broken profile has no rules to check the service's timeouts against, and its problems are reported already.
    if (!profile || scaling.length > 0) {
      continue;
    }
    const params = service.params === undefined ? profile.params : flattenParams(merged);
    if (service.params !== undefined) {
      const timeouts = stepTimeoutIssues(source, params, profile.rules, service.params);
      if (timeouts.length > 0) {
        issues.push(...timeouts);
        continue;
      }
    }
    if (routingKey === undefined) {
      continue;
    }
    policies[service.name] = servicePolicy(service, profile, params, teamEmailDomain, routingKey);
  }
  return policies;
}

/**
 * The routing key of the service's pages: its own, else its profile's, else its team's default, else the
 * deployment's default. Without any, an issue in the service's file; none either when the deployment file did not
 * pass its schema (that is reported already, and its defaults are unknown).
 */
function pagingRoute(
  source: YamlSource,
  service: ServiceFile,
  profile: ResolvedProfile,
  deployment: Parsed<DeploymentFile> | undefined,
  issues: ConfigIssue[],
): string | undefined {
  const routingKey =
    service.notifications?.pagerduty_routing_key ??
    profile.notifications.pagerduty_routing_key ??
    deployment?.value.teams?.[service.team]?.pagerduty_routing_key ??
    deployment?.value.pagerduty?.default_routing_key;
  if (routingKey === undefined && deployment) {
    issues.push(
      issueAt(
        source,
        ['notifications', 'pagerduty_routing_key'],
        `no PagerDuty routing key, so the service's pages would go nowhere: set notifications.pagerduty_routing_key ` +
          `here or in profile "${profile.name}", or teams.${service.team}.pagerduty_routing_key or ` +
          `pagerduty.default_routing_key in ${deployment.source.file}`,
      ),
    );
  }
  return routingKey;
}

function notificationChannels(
  service: ServiceFile,
  profile: ResolvedProfile,
  teamEmailDomain: string | undefined,
  routingKey: string,
): ServiceNotificationChannels {
  const own: NotificationsFile = service.notifications ?? {};
  const fallback = profile.notifications;
  const emails = own.emails ?? fallback.emails ?? (teamEmailDomain ? [`${service.team}@${teamEmailDomain}`] : []);
  return {
    slack_webhooks: own.slack_webhooks ?? fallback.slack_webhooks ?? [],
    emails,
    pagerduty_routing_key: routingKey,
  };
}

function servicePolicy(
  service: ServiceFile,
  profile: ResolvedProfile,
  params: FlatParams,
  teamEmailDomain: string | undefined,
  routingKey: string,
): ServicePolicy {
  const number = (name: string): number => Number(params[name]);
  return {
    service: service.name,
    team: service.team,
    profile: profile.name,
    params,
    notifications: notificationChannels(service, profile, teamEmailDomain, routingKey),
    shadow: service.shadow ?? profile.shadow,
    max_event_age_ms: number('max_event_age_ms'),
    ack_window_ms: number('ack_window_ms'),
    rate_limit: { threshold: number('rate_limit_threshold'), window_ms: number('rate_limit_window_ms') },
    scaling: {
      min_hosts: number('scaling_min_hosts'),
      max_hosts: number('scaling_max_hosts'),
      max_step: number('scaling_max_step'),
      cooldown_ms: number('scaling_cooldown_ms'),
    },
  };
}
