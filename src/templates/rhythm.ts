/** The rhythm's message templates, registered together in src/templates/index.ts. */
import { deadlineEscalation, deadlineReminder } from './deadline-reminder.ts'
import { statusPrompt } from './status-prompt.ts'
import { trainingPaceTemplate, trainingRiskTemplate } from './training-pace.ts'
import { weeklyDigest } from './weekly-digest.ts'

export const rhythmTemplates = [
  deadlineReminder,
  deadlineEscalation,
  statusPrompt,
  weeklyDigest,
  trainingPaceTemplate,
  trainingRiskTemplate,
]
