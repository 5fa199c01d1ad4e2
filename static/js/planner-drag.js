// The room planner's own script. Drag a booking onto another day, room or free slot: the booking's page
// opens with the move filled in and says who will be told; nothing moves until it is sent
// there. The same move is made without a mouse from the booking's page (its link in the grid).
(function () {
  "use strict";
  // On a phone the planner opens on one day (seven columns do not fit); a link that names a
  // view, a week or a day is followed as it is.
  if (window.matchMedia("(max-width: 40rem)").matches && !/[?&](view|week|day|month)=/.test(window.location.search)) {
    var query = window.location.search ? window.location.search + "&view=day" : "?view=day";
    window.location.replace(window.location.pathname + query + window.location.hash);
    return;
  }
  var dragged = null;
  document.querySelectorAll(".booking[draggable=true]").forEach(function (booking) {
    booking.addEventListener("dragstart", function (event) {
      dragged = booking;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", booking.dataset.meetingUrl);
      booking.classList.add("dragging");
    });
    booking.addEventListener("dragend", function () {
      booking.classList.remove("dragging");
      dragged = null;
    });
  });
  document.querySelectorAll("td[data-room]").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (dragged) {
        event.preventDefault();
        cell.classList.add("drop-target");
      }
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-target"); });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("drop-target");
      if (!dragged) { return; }
      var slot = event.target.closest("a.free");
      var time = slot ? slot.dataset.time : dragged.dataset.start;
      window.location.assign(
        dragged.dataset.meetingUrl + "?move_to=" + encodeURIComponent(cell.dataset.day + "T" + time) +
        "&room=" + encodeURIComponent(cell.dataset.room) + "#move-heading"
      );
    });
  });
})();
