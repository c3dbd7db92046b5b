// Progressive enhancement only: the desk works without this file.
// Filter selects submit their form on change, so a filter applies with one tap.
document.addEventListener('DOMContentLoaded', () => {
  for (const select of document.querySelectorAll('form.filters select')) {
    select.addEventListener('change', () => select.form.requestSubmit())
  }
  // A submitted form's button is disabled, so a double tap does not post twice.
  for (const form of document.querySelectorAll('form[method="post"]')) {
    form.addEventListener('submit', () => {
      for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = true
    })
  }
})
