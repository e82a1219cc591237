// The story editor's autosave, made safe for a new story (docs/editing.md, "Autosave").
//
// Wagtail 8's autosave (its w-autosave controller) saves a new page with a background POST to the Add form's
// URL, then points the form at the new page's edit URL. Two things go wrong on the Add form, and Wagtail offers
// the events to fix both without touching its code:
//
// 1. A Save draft or Publish click while that POST is waiting (its 500 ms debounce) or running sends the Add
//    form a second time: the story is created twice, the second gets "The slug … is already in use", the editor
//    stays on the Add form and the autosaved draft is left behind. So a submit waits for a running autosave to
//    finish (w-autosave:success or :error) and then goes to the URL it left; and from the click on, no new
//    autosave begins (w-autosave:save is cancelable).
// 2. Until the story has its headline and section (fields a draft cannot be saved without), every autosave
//    fails and Wagtail shows "Autosave is paused – There are validation errors", for example as soon as an
//    image is picked on an empty form. So a new story is not autosaved until both are filled in, and its slug:
//    the slug follows the headline a moment after each keystroke, and an autosave taken in between (headline
//    "Race ", slug still empty) failed the same way.
(() => {
  const form = document.querySelector("form[data-edit-form]");
  if (!form) return;
  let running = null; // a Promise for the autosave in flight, from its save event to its success or error
  let submitting = false; // set by the first Save draft or Publish: no autosave may begin after it

  const isNewStory = () => /\/pages\/add\//.test(form.action);
  const hasRequiredFields = () =>
    ["title", "slug", "section"].every((name) => !form.elements[name] || form.elements[name].value.trim() !== "");

  form.addEventListener("w-autosave:save", (event) => {
    if (submitting || (isNewStory() && !hasRequiredFields())) {
      event.preventDefault();
      return;
    }
    running = new Promise((resolve) => {
      const done = () => {
        form.removeEventListener("w-autosave:success", done);
        form.removeEventListener("w-autosave:error", done);
        resolve();
      };
      form.addEventListener("w-autosave:success", done);
      form.addEventListener("w-autosave:error", done);
    }).finally(() => {
      running = null;
    });
  });

  // Capture phase on the document: before Wagtail's own submit handlers on the form, which then run on the
  // re-sent submit.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target !== form) return;
      submitting = true;
      if (running) {
        event.preventDefault();
        event.stopImmediatePropagation();
        const submitter = event.submitter && event.submitter.isConnected ? event.submitter : null;
        running.then(() => {
          // Wagtail's progress indicator disabled the clicked button, and a disabled button's name (such as
          // action-publish) would be left out of the form data: the story would be saved, not published.
          if (submitter) submitter.disabled = false;
          form.requestSubmit(submitter);
        });
      }
    },
    true,
  );
})();
