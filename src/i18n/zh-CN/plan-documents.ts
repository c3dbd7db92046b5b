/** Reading plan documents (src/documents/plan): what a clerk is told when a file cannot be read. */
export default {
  accepted: '.txt .md .csv .docx .xlsx .pdf .yaml .json',
  unknownFormat: (file: string, accepted: string) =>
    `无法识别的文件格式：${file}（可用：${accepted}；文本可为 UTF-8、GBK 或 UTF-16 编码）`,
  legacyOffice: (file: string) =>
    `旧版 Office 文件（.doc / .xls）：${file}。请在 WPS 或 Word/Excel 中另存为 .docx 或 .xlsx 后再导入`,
  zipNotOffice: (file: string) => `压缩文件中没有 Word 或 Excel 文档：${file}`,
  damaged: (file: string, detail: string) => `文件已损坏，无法读取：${file}（${detail}）`,
  pdfNoText: (file: string) =>
    `PDF 中没有文字（可能是扫描件）：${file}。请提供 Word 版本，或先做文字识别（OCR）`,
  pdfEncrypted: (file: string) => `PDF 已加密，无法读取：${file}`,
}
