// Drag a booking in the room planner onto another day, room or free slot: the booking's page
// opens with the move filled in and says who will be told; nothing moves until it is sent
// there. The same move is made without a mouse from the booking's page (its link in the grid).
(function () {
  "use strict";
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
