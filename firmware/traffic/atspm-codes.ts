/**
 * Indiana high-resolution controller event codes (Purdue enumerations, as read by ATSPM).
 * Only the codes wayside emits; see reference/traffic.md for the full list.
 * Parameters: phase number for 1-23/43-45, detector channel for 81-88, pattern for 131,
 * barrier number for 31, flash status for 173, alarm number for 200/201.
 */
export const ATSPM = {
  BEGIN_GREEN: 1,
  MIN_COMPLETE: 3,
  GAP_OUT: 4,
  MAX_OUT: 5,
  FORCE_OFF: 6,
  GREEN_TERMINATION: 7,
  BEGIN_YELLOW: 8,
  END_YELLOW: 9,
  BEGIN_RED_CLEAR: 10,
  END_RED_CLEAR: 11,
  PHASE_INACTIVE: 12,
  PHASE_SKIPPED: 14,
  BEGIN_WALK: 21,
  BEGIN_FDW: 22,
  BEGIN_DONT_WALK: 23,
  BARRIER_TERMINATION: 31,
  CALL_REGISTERED: 43,
  CALL_DROPPED: 44,
  PED_CALL_REGISTERED: 45,
  DETECTOR_OFF: 81,
  DETECTOR_ON: 82,
  DETECTOR_RESTORED: 83,
  DETECTOR_FAULT_OTHER: 84, // max presence (stuck on)
  DETECTOR_WATCHDOG: 85, // no activity
  DETECTOR_OPEN_LOOP: 86,
  DETECTOR_SHORTED_LOOP: 87,
  DETECTOR_EXCESSIVE_CHANGE: 88,
  PATTERN_CHANGE: 131,
  UNIT_FLASH_STATUS: 173,
  POWER_FAILURE: 182,
  POWER_RESTORED: 184,
  ALARM_ON: 200,
  ALARM_OFF: 201,
} as const;
export type AtspmCode = (typeof ATSPM)[keyof typeof ATSPM];
