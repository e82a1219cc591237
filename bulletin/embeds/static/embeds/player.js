// Bulletin's embeds: each embed is a card linking to the post; this adds a button that replaces the card with the
// provider's player, so that the page asks nothing of the provider until the reader clicks. No inline script: the
// player's address is in the card's data-embed-player, which the server built for that provider only.
(function () {
  "use strict";
  var ACTIONS = { VideoObject: "Play video", AudioObject: "Play audio", SocialMediaPosting: "Show post" };

  function play(card) {
    var frame = document.createElement("iframe");
    frame.src = card.dataset.embedPlayer;
    frame.title = card.dataset.embedTitle;
    frame.className = "embed__frame embed__frame--" + (card.dataset.embedKind === "SocialMediaPosting" ? "post" : "player");
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var link = card.querySelector(".embed__link");
    link.classList.add("embed__link--after-player");
    card.insertBefore(frame, link);
    card.querySelector(".embed__play").remove();
    var thumbnail = link.querySelector(".embed__thumbnail");
    if (thumbnail) thumbnail.remove();
    frame.focus();
  }

  document.querySelectorAll("[data-embed-player]").forEach(function (card) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "embed__play";
    button.textContent = ACTIONS[card.dataset.embedKind] || "Show post";
    button.setAttribute("aria-label", button.textContent + ": " + card.dataset.embedTitle);
    button.addEventListener("click", function () { play(card); });
    card.appendChild(button);
  });
})();
