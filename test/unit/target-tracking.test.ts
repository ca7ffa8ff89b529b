import { trackTarget } from '../../core/target-tracking';

const settings = { target_per_host: 100, hysteresis: 0.2 };

describe('target tracking with hysteresis', () => {
  it('asks for more hosts when load per host is above the band', () => {
    expect(trackTarget(500, 3, settings)).toMatchObject({ action: 'ScaleUp', desired: 5, delta: 2 });
  });

  it('asks for fewer hosts when load per host is below the band', () => {
    expect(trackTarget(100, 4, settings)).toMatchObject({ action: 'ScaleDown', desired: 1, delta: -3 });
  });

  it('stays put inside the band, so a load hovering at the target does not flap', () => {
    expect(trackTarget(350, 3, settings).action).toBe('none'); // 117 per host, within +20%
    expect(trackTarget(250, 3, settings).action).toBe('none'); // 83 per host, within -20%
  });

  it('asks nothing past the pool bounds it knows', () => {
    expect(trackTarget(0, 2, { ...settings, min_hosts: 2 }).action).toBe('none');
    expect(trackTarget(1000, 4, { ...settings, max_hosts: 6 })).toMatchObject({ action: 'ScaleUp', desired: 6 });
  });
});
