// Services: each subscribes to a profile and may override its parameters and notifications; the result is the
// service's policy in the snapshot. Overrides are checked against the merged values, and blamed on the service.
import type { NotificationChannels, ServicePolicy } from '../resolved-config';
import type { BrokenNames, Parsed } from './config-files';
import type { ConfigIssue } from './errors';
import type { NotificationsFile, ServiceFile } from './file-shapes';
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
import { issueAt } from './yaml-source';

/** Every service's policy by name; a service with a problem (reported) is left out. */
export function resolveServices(
  services: ReadonlyMap<string, Parsed<ServiceFile>>,
  profiles: ResolvedProfiles,
  brokenNames: BrokenNames,
  teamEmailDomain: string | undefined,
  issues: ConfigIssue[],
): Record<string, ServicePolicy> {
  const policies: Record<string, ServicePolicy> = {};
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
    policies[service.name] = servicePolicy(service, profile, params, teamEmailDomain);
  }
  return policies;
}

function notificationChannels(
  service: ServiceFile,
  profile: ResolvedProfile,
  teamEmailDomain: string | undefined,
): NotificationChannels {
  const own: NotificationsFile = service.notifications ?? {};
  const fallback = profile.notifications;
  const emails = own.emails ?? fallback.emails ?? (teamEmailDomain ? [`${service.team}@${teamEmailDomain}`] : []);
  const routingKey = own.pagerduty_routing_key ?? fallback.pagerduty_routing_key;
  return {
    slack_webhooks: own.slack_webhooks ?? fallback.slack_webhooks ?? [],
    emails,
    ...(routingKey === undefined ? {} : { pagerduty_routing_key: routingKey }),
  };
}

function servicePolicy(
  service: ServiceFile,
  profile: ResolvedProfile,
  params: FlatParams,
  teamEmailDomain: string | undefined,
): ServicePolicy {
  const number = (name: string): number => Number(params[name]);
  return {
    service: service.name,
    team: service.team,
    profile: profile.name,
    params,
    notifications: notificationChannels(service, profile, teamEmailDomain),
    shadow: service.shadow ?? profile.shadow,
    max_event_age_ms: number('max_event_age_ms'),
    rate_limit: { threshold: number('rate_limit_threshold'), window_ms: number('rate_limit_window_ms') },
    scaling: {
      min_hosts: number('scaling_min_hosts'),
      max_hosts: number('scaling_max_hosts'),
      max_step: number('scaling_max_step'),
      cooldown_ms: number('scaling_cooldown_ms'),
    },
  };
}
