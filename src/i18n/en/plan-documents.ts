import type zh from '../zh-CN/plan-documents.ts'

export default {
  accepted: '.txt .md .csv .docx .xlsx .pdf .yaml .json',
  unknownFormat: (file: string, accepted: string) =>
    `unrecognised file format: ${file} (accepted: ${accepted}; text may be UTF-8, GBK or UTF-16)`,
  legacyOffice: (file: string) =>
    `old Office file (.doc / .xls): ${file}. Save it as .docx or .xlsx in WPS, Word or Excel and import that`,
  zipNotOffice: (file: string) => `the archive holds no Word or Excel document: ${file}`,
  damaged: (file: string, detail: string) => `the file is damaged and cannot be read: ${file} (${detail})`,
  pdfNoText: (file: string) =>
    `the PDF has no text (probably a scan): ${file}. Provide the Word version, or run text recognition (OCR) first`,
  pdfEncrypted: (file: string) => `the PDF is encrypted and cannot be read: ${file}`,
} satisfies typeof zh
